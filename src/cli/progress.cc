#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace chollima::cli {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { Done(); }

void ProgressBar::Update(size_t done, size_t total) {
  if (!enabled_ || total == 0) return;
  const int permille = static_cast<int>(done * 1000 / total);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  constexpr int kWidth = 30;
  const int filled = permille * kWidth / 1000;
  std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%", label_.c_str(), filled,
               "##############################", kWidth - filled, "", permille / 10.0);
  std::fflush(stderr);
}

void ProgressBar::Done() {
  if (enabled_ && last_permille_ >= 0 && !finished_) std::fprintf(stderr, "\n");
  finished_ = true;
}

}  // namespace chollima::cli
