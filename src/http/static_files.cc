#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"

namespace chollima::http {
namespace {

namespace fs = std::filesystem;

// The dashboard loads only its own scripts, styles and API; nothing may frame it.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

bool HasExtension(std::string_view path) {
  const size_t slash = path.rfind('/');
  return path.find('.', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

}  // namespace

std::string StaticFiles::ContentTypeFor(const std::string& name) {
  const std::string ext = ToLower(fs::path(name).extension().string());
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

Result<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return NotFound("'" + root + "' is not a directory");
  auto files = std::unique_ptr<StaticFiles>(new StaticFiles());
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return IoError("cannot read '" + it->path().string() + "'");
    const std::string rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    files->files_[rel] = File{ContentTypeFor(rel), body.str()};
  }
  if (ec) return IoError("cannot list '" + root + "': " + ec.message());
  if (files->files_.count("/index.html") == 0) {
    return NotFound("'" + root + "' has no index.html (build the dashboard: make web)");
  }
  return files;
}

Response StaticFiles::Serve(const Request& request) const {
  auto it = files_.find(request.path);
  if (it == files_.end() && (request.path == "/" || !HasExtension(request.path))) {
    it = files_.find("/index.html");
  }
  if (it == files_.end()) {
    return Response{
        .status = 404, .content_type = "text/plain; charset=utf-8", .body = "not found\n"};
  }
  Response r{.status = 200, .content_type = it->second.content_type};
  if (request.method != "HEAD") r.body = it->second.body;
  const bool hashed = it->first.starts_with("/assets/");
  r.headers = {{"Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"}};
  if (it->first == "/index.html") {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  return r;
}

}  // namespace chollima::http
