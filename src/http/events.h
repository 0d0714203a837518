// Server-sent events (GET /api/events): an EventBus that features publish to, and the
// stream each client reads from it.
//
//   EventBus bus;
//   router.Add("GET", "/api/events", [&bus](const Request& r) { return EventsResponse(bus, r); });
//   bus.Publish(kStatusEvent, StatusChangeJson(state, change, "2026-01-31T18:00:00Z"));
//
// WIRE FORMAT (the WHATWG "server-sent events" format, as EventSource reads it):
//   id: 1767225600000001\nevent: status\ndata: {"unit":"U17",...}\n\n
// data is one line (JSON from io::JsonWriter has no newline; any newline in it would
// start another "data:" line). Pieces that are not events:
//   ": keep-alive\n\n"                           a comment, every keep_alive without events
//   "event: gap\ndata: {"missed_from":N}\n\n"    the client missed events N.. (see below)
//
// IDS. Every event gets an int64 id, one more than the one before. The first id of a run
// is the time the EventBus was made, in microseconds since 1970, so ids keep increasing
// across restarts as long as a run publishes fewer events than it lives microseconds.
// Events live in memory only: the last `capacity` are kept for replay and none survives
// a restart.
//
// REPLAY. A client reconnecting with the id of the last event it saw (EventSource sends
// it as the Last-Event-ID header) first gets every buffered event after it, then new
// events as they come. When events after it are no longer buffered (it is older than the
// oldest kept; it comes from an earlier run; or it is an id this run never gave), the
// stream starts with a gap event, data {"missed_from": its id + 1}, and then replays
// every buffered event: the client should refetch what it shows. The gap event has no
// id, so the client's last id stays where it was. A subscriber that falls more than
// `capacity` events behind (its connection too slow) gets a gap event the same way.
// Without a last id the stream starts with the next event published.
//
// Thread-safety: every method of EventBus and of its streams may be called from any
// thread. Streams keep the bus's state alive: they may outlive the EventBus (they end
// when it is destroyed).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/state.h"
#include "engine/status_watch.h"
#include "http/router.h"

namespace chollima::http {

struct EventBusOptions {
  size_t capacity = 10'000;  // events kept for replay; at least 1
  // A comment line is sent after this long without an event (proxies and browsers drop
  // idle connections).
  std::chrono::milliseconds keep_alive{15'000};
  // The id of the first event; nullopt: the current time in microseconds since 1970.
  std::optional<int64_t> first_id;
  // A stream's Next returns at most about this many bytes (at least one event).
  size_t max_piece = size_t{64} * 1024;
};

class EventBus {
 public:
  explicit EventBus(EventBusOptions options = {});
  // Ends every stream (their Next returns false).
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Appends an event and wakes the streams; returns its id. `type` is a word such as
  // "status" (CR and LF are dropped); `data` is one line of JSON (see WIRE FORMAT).
  int64_t Publish(std::string_view type, std::string_view data);

  // A stream of the events after `last_event_id` (see REPLAY), then of new ones, with
  // keep-alive comments. It ends when cancelled or when the EventBus is destroyed.
  std::shared_ptr<BodyStream> Subscribe(std::optional<int64_t> last_event_id);

  // The id of the last event published; first_id - 1 before any.
  int64_t last_id() const;
  // Open streams.
  size_t subscribers() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

// One event as it goes on the wire (see WIRE FORMAT).
std::string FormatEvent(int64_t id, std::string_view type, std::string_view data);

// GET /api/events: a text/event-stream of `bus` from the last event id the client gives
// in the Last-Event-ID header or, for clients that cannot set headers, the
// `last_event_id` query parameter (the header wins). 400 (JSON error) for an id that is
// not a whole number from 0 to 2^63-1, or an unknown query parameter.
Response EventsResponse(EventBus& bus, const Request& request);

// The type of the events StatusWatch changes are published as.
inline constexpr std::string_view kStatusEvent = "status";
// The type of the one event a write publishes instead when it changes very many
// statuses: {"count","author","source","at"}.
inline constexpr std::string_view kStatusesEvent = "statuses";
// A drive participant passed another (service::OvertakingEventJson), a record was set or
// withdrawn (service::RecordEventJson); and the summaries a write publishes instead when
// it causes very many: {"count","author","source","at"}.
inline constexpr std::string_view kOvertakingEvent = "overtaking";
inline constexpr std::string_view kRecordEvent = "record";
inline constexpr std::string_view kOvertakingsEvent = "overtakings";
inline constexpr std::string_view kRecordsEvent = "records";
// A follower passed its model on a compared indicator (service::ModelEventJson).
inline constexpr std::string_view kModelOvertakenEvent = "model_overtaken";
inline constexpr std::string_view kModelsOvertakenEvent = "models_overtaken";

// {"unit","unit_name","indicator","period","from","to","percent","plan","actual","at"}
// for one change: codes and names from `state` (the State after the commit), the period
// in its canonical form ("2026-01"), statuses by name, figures after the change (null
// when undefined), `at` as given (the commit's time).
std::string StatusChangeJson(const engine::State& state, const engine::StatusChange& change,
                             std::string_view at);

}  // namespace chollima::http
