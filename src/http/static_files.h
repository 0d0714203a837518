// The dashboard's files (web/dist, built by Vite), served by the binary itself.
//
// Every file under the root is read once when the server starts and kept in memory (the
// dashboard is about 150 kB), so a request never touches the disk and a path can never
// name anything outside the root. "/" and any path that names no file and has no
// extension answer index.html, so the dashboard's own routes ("/units/U00001") survive a
// reload. Hashed assets (/assets/...) may be cached for a year; index.html never.
//
//   auto files = StaticFiles::Load("web/dist");
//   router.SetFallback([&](const Request& r) { return files->Serve(r); });
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace chollima::http {

class StaticFiles {
 public:
  // Reads every regular file below `root`. Fails with kNotFound when `root` is not a
  // directory or has no index.html, kIo when a file cannot be read.
  static Result<std::unique_ptr<StaticFiles>> Load(const std::string& root);

  // Answers a GET or HEAD for `request.path`.
  Response Serve(const Request& request) const;

  size_t file_count() const { return files_.size(); }

  // The Content-Type for a file name, by its extension.
  static std::string ContentTypeFor(const std::string& name);

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File> files_;  // by path from the root, "/index.html"
};

}  // namespace chollima::http
