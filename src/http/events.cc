#include "http/events.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/period.h"
#include "engine/fulfilment.h"
#include "io/json_writer.h"

namespace chollima::http {

struct EventBus::Shared {
  explicit Shared(EventBusOptions o)
      : options(o),
        capacity(static_cast<int64_t>(std::max<size_t>(1, options.capacity))),
        first_id(options.first_id ? *options.first_id
                                  : std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()),
        next_id(first_id) {}

  // The oldest id still buffered (next_id when none is).
  int64_t Oldest() const { return std::max(first_id, next_id - capacity); }
  const std::string& At(int64_t id) const {
    return ring[static_cast<size_t>((id - first_id) % capacity)];
  }

  const EventBusOptions options;
  const int64_t capacity;
  const int64_t first_id;
  mutable std::mutex mu;
  std::condition_variable cv;  // an event was published, a stream cancelled, or closed
  // Guarded by mu:
  int64_t next_id;
  std::vector<std::string> ring;  // formatted events; id x at (x - first_id) % capacity
  bool closed = false;
  size_t subscribers = 0;
};

namespace {

void AppendGap(std::string& out, int64_t missed_from) {
  out += "event: gap\ndata: {\"missed_from\":";
  out += std::to_string(missed_from);
  out += "}\n\n";
}

class Subscription final : public BodyStream {
 public:
  Subscription(std::shared_ptr<EventBus::Shared> shared, int64_t cursor)
      : shared_(std::move(shared)), cursor_(cursor) {}
  ~Subscription() override {
    std::lock_guard lock(shared_->mu);
    --shared_->subscribers;
  }

  bool Next(std::string& out) override {
    EventBus::Shared& s = *shared_;
    std::unique_lock lock(s.mu);
    const auto deadline = std::chrono::steady_clock::now() + s.options.keep_alive;
    while (true) {
      if (cancelled_ || s.closed) return false;
      const size_t start = out.size();
      const int64_t oldest = s.Oldest();
      // Events after cursor_ are gone, or cursor_ is an id this run never gave.
      if (cursor_ + 1 < oldest || cursor_ >= s.next_id) {
        AppendGap(out, cursor_ + 1);
        cursor_ = oldest - 1;
      }
      while (cursor_ + 1 < s.next_id && out.size() - start < s.options.max_piece) {
        ++cursor_;
        out += s.At(cursor_);
      }
      if (out.size() > start) return true;
      if (std::chrono::steady_clock::now() >= deadline) {
        out += ": keep-alive\n\n";
        return true;
      }
      s.cv.wait_until(lock, deadline);
    }
  }

  void Cancel() override {
    {
      std::lock_guard lock(shared_->mu);
      cancelled_ = true;
    }
    shared_->cv.notify_all();
  }

 private:
  std::shared_ptr<EventBus::Shared> shared_;
  // Guarded by shared_->mu:
  int64_t cursor_;  // the last id sent (or skipped past in a gap)
  bool cancelled_ = false;
};

// Parses a whole number from 0 to 2^63-1 (digits only).
std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace

EventBus::EventBus(EventBusOptions options) : shared_(std::make_shared<Shared>(options)) {}

EventBus::~EventBus() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->closed = true;
  }
  shared_->cv.notify_all();
}

int64_t EventBus::Publish(std::string_view type, std::string_view data) {
  int64_t id = 0;
  {
    std::lock_guard lock(shared_->mu);
    id = shared_->next_id++;
    std::string event = FormatEvent(id, type, data);
    if (shared_->ring.size() < static_cast<size_t>(shared_->capacity)) {
      shared_->ring.push_back(std::move(event));
    } else {
      shared_->ring[static_cast<size_t>((id - shared_->first_id) % shared_->capacity)] =
          std::move(event);
    }
  }
  shared_->cv.notify_all();
  return id;
}

std::shared_ptr<BodyStream> EventBus::Subscribe(std::optional<int64_t> last_event_id) {
  std::lock_guard lock(shared_->mu);
  ++shared_->subscribers;
  return std::make_shared<Subscription>(shared_, last_event_id.value_or(shared_->next_id - 1));
}

int64_t EventBus::last_id() const {
  std::lock_guard lock(shared_->mu);
  return shared_->next_id - 1;
}

size_t EventBus::subscribers() const {
  std::lock_guard lock(shared_->mu);
  return shared_->subscribers;
}

std::string FormatEvent(int64_t id, std::string_view type, std::string_view data) {
  std::string out;
  out.reserve(data.size() + type.size() + 40);
  out += "id: ";
  out += std::to_string(id);
  out += "\nevent: ";
  for (const char c : type) {
    if (c != '\r' && c != '\n') out += c;
  }
  out += '\n';
  // One "data:" line per line of `data` (CR, LF and CRLF end a line).
  size_t begin = 0;
  while (true) {
    const size_t end = data.find_first_of("\r\n", begin);
    out += "data: ";
    out += data.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    out += '\n';
    if (end == std::string_view::npos) break;
    begin = end + 1;
    if (data[end] == '\r' && begin < data.size() && data[begin] == '\n') ++begin;
  }
  out += '\n';
  return out;
}

Response EventsResponse(EventBus& bus, const Request& request) {
  for (const auto& [name, value] : request.query.items()) {
    if (name != "last_event_id")
      return ErrorResponse(InvalidArgument(name + ": unknown parameter"));
  }
  std::optional<std::string> text;
  std::string_view what = "Last-Event-ID";
  if (const auto header = request.Header("last-event-id"); header && !header->empty()) {
    text = std::string(*header);
  } else if (auto query = request.query.Get("last_event_id"); query && !query->empty()) {
    text = std::move(query);
    what = "last_event_id";
  }
  std::optional<int64_t> last_event_id;
  if (text) {
    last_event_id = ParseId(*text);
    if (!last_event_id) {
      return ErrorResponse(InvalidArgument(std::string(what) +
                                           ": expected an event id (a whole number from 0 to "
                                           "9223372036854775807), not '" +
                                           *text + "'"));
    }
  }
  return {.status = 200,
          .content_type = "text/event-stream; charset=utf-8",
          .stream = bus.Subscribe(last_event_id)};
}

std::string StatusChangeJson(const engine::State& state, const engine::StatusChange& change,
                             std::string_view at) {
  const auto unit = static_cast<size_t>(change.unit);
  const auto indicator = static_cast<size_t>(change.indicator);
  const bool unit_known = change.unit >= 0 && unit < state.units().size();
  const bool indicator_known = change.indicator >= 0 && indicator < state.indicators().size();
  io::JsonWriter w;
  w.BeginObject();
  w.Key("unit");
  w.String(unit_known ? state.units()[unit].code : "");
  w.Key("unit_name");
  w.String(unit_known ? state.units()[unit].name : "");
  w.Key("indicator");
  w.String(indicator_known ? state.indicators()[indicator].code : "");
  w.Key("period");
  w.String(FormatPeriod(change.period));
  w.Key("from");
  w.String(engine::StatusName(change.from));
  w.Key("to");
  w.String(engine::StatusName(change.to));
  w.Key("percent");
  w.Number(change.percent);
  w.Key("plan");
  w.Number(change.plan);
  w.Key("actual");
  w.Number(change.actual);
  w.Key("at");
  w.String(at);
  w.EndObject();
  return w.Take();
}

}  // namespace chollima::http
