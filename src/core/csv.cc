#include "core/csv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace chollima {

struct CsvReader::Mapping {
  void* addr = nullptr;
  size_t length = 0;
  ~Mapping() {
    if (addr != nullptr) munmap(addr, length);
  }
};

// Moving a std::string may move its bytes (short strings live inside the object), so a
// reader over owned text points data_ at its own copy afterwards. The moved-from reader
// is left empty rather than viewing bytes it no longer owns.
CsvReader::CsvReader(CsvReader&& other) noexcept { *this = std::move(other); }

CsvReader& CsvReader::operator=(CsvReader&& other) noexcept {
  if (this == &other) return *this;
  name_ = std::move(other.name_);
  mapping_ = std::move(other.mapping_);
  owned_ = std::move(other.owned_);
  data_ = mapping_ != nullptr ? other.data_ : std::string_view(owned_);
  pos_ = std::exchange(other.pos_, 0);
  line_ = std::exchange(other.line_, 1);
  error_ = std::exchange(other.error_, std::nullopt);
  scratch_ = std::move(other.scratch_);
  spans_ = std::move(other.spans_);
  other.data_ = {};
  return *this;
}

CsvReader::~CsvReader() = default;

Result<CsvReader> CsvReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError(path + ": not a regular file");
  }
  CsvReader reader;
  reader.name_ = path;
  reader.mapping_ = std::make_unique<Mapping>();
  const auto length = static_cast<size_t>(st.st_size);
  if (length > 0) {
    void* addr = mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (addr == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return IoError(path + ": cannot map: " + std::strerror(err));
    }
    madvise(addr, length, MADV_SEQUENTIAL);
    reader.mapping_->addr = addr;
    reader.mapping_->length = length;
    reader.data_ = std::string_view(static_cast<const char*>(addr), length);
  }
  ::close(fd);
  if (reader.data_.starts_with("\xEF\xBB\xBF")) reader.pos_ = 3;
  return reader;
}

CsvReader CsvReader::FromString(std::string name, std::string text) {
  CsvReader reader;
  reader.name_ = std::move(name);
  reader.owned_ = std::move(text);
  reader.data_ = reader.owned_;
  if (reader.data_.starts_with("\xEF\xBB\xBF")) reader.pos_ = 3;
  return reader;
}

Result<bool> CsvReader::Next(CsvRecord& record) {
  if (error_.has_value()) return *error_;
  Result<bool> more = ReadRecord(record);
  if (!more.ok()) error_ = more.error();
  return more;
}

Result<bool> CsvReader::ReadRecord(CsvRecord& record) {
  const char* const base = data_.data();
  const size_t n = data_.size();
  // A line ends with \n, \r\n or a lone \r.
  auto ends_line = [&](size_t i) {
    return base[i] == '\n' || (base[i] == '\r' && (i + 1 == n || base[i + 1] != '\n'));
  };
  // Skip blank lines.
  while (pos_ < n && (base[pos_] == '\n' || base[pos_] == '\r')) {
    if (ends_line(pos_)) ++line_;
    ++pos_;
  }
  if (pos_ >= n) return false;

  record.line = line_;
  spans_.clear();
  scratch_.clear();
  while (true) {
    if (pos_ < n && base[pos_] == '"') {
      // Quoted field: copy into scratch, turning "" into ".
      const int64_t start_line = line_;
      ++pos_;
      const size_t offset = scratch_.size();
      while (true) {
        const void* q = pos_ < n ? std::memchr(base + pos_, '"', n - pos_) : nullptr;
        if (q == nullptr) {
          return InvalidArgument(name_ + ":" + std::to_string(start_line) + ": column " +
                                 std::to_string(spans_.size() + 1) +
                                 ": a quoted field is never closed");
        }
        const size_t qpos = static_cast<size_t>(static_cast<const char*>(q) - base);
        for (size_t i = pos_; i < qpos; ++i) {
          if (ends_line(i)) ++line_;
        }
        scratch_.append(base + pos_, qpos - pos_);
        pos_ = qpos + 1;
        if (pos_ < n && base[pos_] == '"') {
          scratch_.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      spans_.push_back({true, offset, scratch_.size() - offset});
      if (pos_ < n && base[pos_] != ',' && base[pos_] != '\n' && base[pos_] != '\r') {
        return InvalidArgument(name_ + ":" + std::to_string(line_) + ": column " +
                               std::to_string(spans_.size()) +
                               ": unexpected character after a closing quote");
      }
    } else {
      const size_t start = pos_;
      while (pos_ < n) {
        const char c = base[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') {
          return InvalidArgument(name_ + ":" + std::to_string(line_) + ": column " +
                                 std::to_string(spans_.size() + 1) +
                                 ": a quote inside an unquoted field (quote the whole field)");
        }
        ++pos_;
      }
      spans_.push_back({false, start, pos_ - start});
    }
    if (pos_ >= n) break;
    if (base[pos_] == ',') {
      ++pos_;
      continue;
    }
    // End of record: \n or \r\n (a lone \r ends it too).
    if (base[pos_] == '\r') ++pos_;
    if (pos_ < n && base[pos_] == '\n') ++pos_;
    ++line_;
    break;
  }
  record.fields.resize(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    record.fields[i] = s.in_scratch ? std::string_view(scratch_).substr(s.offset, s.length)
                                    : std::string_view(base + s.offset, s.length);
  }
  return true;
}

std::string CsvErrorMessage(std::string_view file, int64_t line, size_t column,
                            std::string_view field, std::string_view reason) {
  std::string m;
  m.reserve(file.size() + field.size() + reason.size() + 40);
  m.append(file).append(":").append(std::to_string(line)).append(": column ");
  m.append(std::to_string(column)).append(" '").append(field).append("': ").append(reason);
  return m;
}

}  // namespace chollima
