// A progress bar on standard error for long work, drawn only when stderr is a terminal.
#pragma once

#include <cstddef>
#include <string>

namespace chollima::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(size_t done, size_t total);
  void Done();

 private:
  std::string label_;
  bool enabled_;
  int last_permille_ = -1;
  bool finished_ = false;
};

}  // namespace chollima::cli
