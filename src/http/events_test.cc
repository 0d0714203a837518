#include "http/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <thread>

namespace chollima::http {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr auto kLongWait = 10s;  // bounds every wait for another thread

EventBusOptions Options(size_t capacity = 100, std::chrono::milliseconds keep_alive = 10s) {
  return {.capacity = capacity, .keep_alive = keep_alive, .first_id = 100};
}

// What one Next gives (fails the test if the stream ended).
std::string NextPiece(BodyStream& stream) {
  std::string out;
  EXPECT_TRUE(stream.Next(out));
  return out;
}

std::string Event(int64_t id, std::string_view data, std::string_view type = "status") {
  return FormatEvent(id, type, data);
}

TEST(FormatEvent, IsTheServerSentEventsFormat) {
  EXPECT_EQ(FormatEvent(7, "status", R"({"a":1})"), "id: 7\nevent: status\ndata: {\"a\":1}\n\n");
}

TEST(FormatEvent, EveryLineOfDataGetsItsOwnDataField) {
  EXPECT_EQ(FormatEvent(1, "x", "a\nb\r\nc\rd"),
            "id: 1\nevent: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(FormatEvent(1, "x", ""), "id: 1\nevent: x\ndata: \n\n");
}

TEST(FormatEvent, LineBreaksInTheTypeAreDropped) {
  EXPECT_EQ(FormatEvent(1, "a\r\nb", "{}"), "id: 1\nevent: ab\ndata: {}\n\n");
}

TEST(EventBus, IdsIncreaseFromTheFirstId) {
  EventBus bus(Options());
  EXPECT_EQ(bus.last_id(), 99);
  EXPECT_EQ(bus.Publish("status", "{}"), 100);
  EXPECT_EQ(bus.Publish("status", "{}"), 101);
  EXPECT_EQ(bus.last_id(), 101);
}

TEST(EventBus, FirstIdDefaultsToTheTimeInMicroseconds) {
  const auto micros = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before = micros();
  EventBus bus;
  const int64_t id = bus.Publish("status", "{}");
  EXPECT_GE(id, before);
  EXPECT_LE(id, micros());
}

TEST(EventBus, WithoutLastIdOnlyNewEventsCome) {
  EventBus bus(Options());
  bus.Publish("status", "1");
  auto stream = bus.Subscribe(std::nullopt);
  bus.Publish("status", "2");
  EXPECT_EQ(NextPiece(*stream), Event(101, "2"));
}

TEST(EventBus, ReplaysTheEventsAfterTheLastId) {
  EventBus bus(Options());
  for (int k = 0; k < 5; ++k) bus.Publish("status", std::to_string(k));  // 100..104
  auto stream = bus.Subscribe(101);
  EXPECT_EQ(NextPiece(*stream), Event(102, "2") + Event(103, "3") + Event(104, "4"));
  bus.Publish("record", "5");
  EXPECT_EQ(NextPiece(*stream), Event(105, "5", "record"));
}

TEST(EventBus, LastIdOfTheNewestEventReplaysNothing) {
  EventBus bus(Options(100, 20ms));
  bus.Publish("status", "0");
  auto stream = bus.Subscribe(100);
  EXPECT_EQ(NextPiece(*stream), ": keep-alive\n\n");
}

TEST(EventBus, GapWhenTheLastIdIsOlderThanTheBuffer) {
  EventBus bus(Options(3));
  for (int k = 0; k < 10; ++k) bus.Publish("status", std::to_string(k));  // 100..109
  auto stream = bus.Subscribe(100);
  EXPECT_EQ(NextPiece(*stream), "event: gap\ndata: {\"missed_from\":101}\n\n" + Event(107, "7") +
                                    Event(108, "8") + Event(109, "9"));
}

TEST(EventBus, NoGapWhenTheLastIdIsJustBeforeTheOldestKept) {
  EventBus bus(Options(3));
  for (int k = 0; k < 10; ++k) bus.Publish("status", std::to_string(k));
  auto stream = bus.Subscribe(106);
  EXPECT_EQ(NextPiece(*stream), Event(107, "7") + Event(108, "8") + Event(109, "9"));
}

TEST(EventBus, GapForAnIdOfAnEarlierRun) {
  EventBus bus(Options());  // this run starts at 100
  auto stream = bus.Subscribe(42);
  bus.Publish("status", "0");
  EXPECT_EQ(NextPiece(*stream), "event: gap\ndata: {\"missed_from\":43}\n\n" + Event(100, "0"));
}

TEST(EventBus, GapForAnIdNeverGiven) {
  EventBus bus(Options());
  bus.Publish("status", "0");
  auto stream = bus.Subscribe(5000);
  EXPECT_EQ(NextPiece(*stream), "event: gap\ndata: {\"missed_from\":5001}\n\n" + Event(100, "0"));
}

TEST(EventBus, SubscriberFallingBehindTheBufferGetsAGap) {
  EventBus bus(Options(2));
  auto stream = bus.Subscribe(std::nullopt);
  bus.Publish("status", "0");
  EXPECT_EQ(NextPiece(*stream), Event(100, "0"));
  for (int k = 1; k <= 5; ++k) bus.Publish("status", std::to_string(k));  // 101..105
  EXPECT_EQ(NextPiece(*stream),
            "event: gap\ndata: {\"missed_from\":101}\n\n" + Event(104, "4") + Event(105, "5"));
}

TEST(EventBus, PiecesAreBoundedButHoldAtLeastOneEvent) {
  EventBusOptions o = Options();
  o.max_piece = 1;
  EventBus bus(o);
  bus.Publish("status", "0");
  bus.Publish("status", "1");
  auto stream = bus.Subscribe(99);
  EXPECT_EQ(NextPiece(*stream), Event(100, "0"));
  EXPECT_EQ(NextPiece(*stream), Event(101, "1"));
}

TEST(EventBus, KeepAliveCommentWhenIdle) {
  EventBus bus(Options(100, 30ms));
  auto stream = bus.Subscribe(std::nullopt);
  EXPECT_EQ(NextPiece(*stream), ": keep-alive\n\n");
  bus.Publish("status", "0");
  EXPECT_EQ(NextPiece(*stream), Event(100, "0"));
}

TEST(EventBus, PublishWakesAWaitingStream) {
  EventBus bus(Options());  // keep-alive 10 s: only the event can end the wait
  auto stream = bus.Subscribe(std::nullopt);
  auto next = std::async(std::launch::async, [&] { return NextPiece(*stream); });
  std::this_thread::sleep_for(20ms);
  bus.Publish("status", "0");
  ASSERT_EQ(next.wait_for(kLongWait), std::future_status::ready);
  EXPECT_EQ(next.get(), Event(100, "0"));
}

TEST(EventBus, CancelEndsAWaitingNext) {
  EventBus bus(Options());
  auto stream = bus.Subscribe(std::nullopt);
  auto next = std::async(std::launch::async, [&] {
    std::string out;
    return stream->Next(out);
  });
  std::this_thread::sleep_for(20ms);
  stream->Cancel();
  ASSERT_EQ(next.wait_for(kLongWait), std::future_status::ready);
  EXPECT_FALSE(next.get());
  std::string out;
  EXPECT_FALSE(stream->Next(out));  // and every later one
}

TEST(EventBus, DestroyingTheBusEndsItsStreams) {
  auto bus = std::make_unique<EventBus>(Options());
  auto stream = bus->Subscribe(std::nullopt);
  auto next = std::async(std::launch::async, [&] {
    std::string out;
    return stream->Next(out);
  });
  std::this_thread::sleep_for(20ms);
  bus.reset();
  ASSERT_EQ(next.wait_for(kLongWait), std::future_status::ready);
  EXPECT_FALSE(next.get());
}

TEST(EventBus, CountsSubscribers) {
  EventBus bus(Options());
  auto a = bus.Subscribe(std::nullopt);
  {
    auto b = bus.Subscribe(std::nullopt);
    EXPECT_EQ(bus.subscribers(), 2u);
  }
  EXPECT_EQ(bus.subscribers(), 1u);
}

TEST(EventBus, ConcurrentPublishersGiveEveryIdOnce) {
  EventBus bus(Options(10'000));
  auto stream = bus.Subscribe(99);
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t) {
    publishers.emplace_back([&] {
      for (int k = 0; k < 250; ++k) bus.Publish("status", "{}");
    });
  }
  for (auto& t : publishers) t.join();
  std::string all;
  for (int k = 0; k < 1000 && all.find("id: 1099\n") == std::string::npos; ++k) {
    all += NextPiece(*stream);
  }
  for (int64_t id = 100; id < 1100; ++id) {
    EXPECT_NE(all.find("id: " + std::to_string(id) + "\n"), std::string::npos) << id;
  }
}

// ---- EventsResponse

Request WithHeader(std::string name, std::string value) {
  Request r{.method = "GET", .path = "/api/events"};
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

TEST(EventsResponse, StreamsFromTheLastEventIdHeader) {
  EventBus bus(Options());
  for (int k = 0; k < 3; ++k) bus.Publish("status", std::to_string(k));
  Response r = EventsResponse(bus, WithHeader("last-event-id", "100"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/event-stream; charset=utf-8");
  ASSERT_NE(r.stream, nullptr);
  EXPECT_EQ(NextPiece(*r.stream), Event(101, "1") + Event(102, "2"));
}

TEST(EventsResponse, QueryParameterForClientsWithoutHeaders) {
  EventBus bus(Options());
  for (int k = 0; k < 3; ++k) bus.Publish("status", std::to_string(k));
  Request request{.method = "GET", .path = "/api/events"};
  request.query.Add("last_event_id", "101");
  Response r = EventsResponse(bus, request);
  ASSERT_NE(r.stream, nullptr);
  EXPECT_EQ(NextPiece(*r.stream), Event(102, "2"));
}

TEST(EventsResponse, TheHeaderWinsOverTheQuery) {
  EventBus bus(Options());
  for (int k = 0; k < 3; ++k) bus.Publish("status", std::to_string(k));
  Request request = WithHeader("last-event-id", "101");
  request.query.Add("last_event_id", "100");
  Response r = EventsResponse(bus, request);
  ASSERT_NE(r.stream, nullptr);
  EXPECT_EQ(NextPiece(*r.stream), Event(102, "2"));
}

TEST(EventsResponse, WithoutIdStartsLive) {
  EventBus bus(Options());
  bus.Publish("status", "0");
  Response r = EventsResponse(bus, {.method = "GET", .path = "/api/events"});
  ASSERT_NE(r.stream, nullptr);
  bus.Publish("status", "1");
  EXPECT_EQ(NextPiece(*r.stream), Event(101, "1"));
}

TEST(EventsResponse, RejectsGarbageIds) {
  EventBus bus(Options());
  for (const char* bad :
       {"abc", "-1", "+5", "1.5", " 7", "12a", "9223372036854775808", "99999999999999999999999"}) {
    Response r = EventsResponse(bus, WithHeader("last-event-id", bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.stream, nullptr) << bad;
    EXPECT_THAT(r.body, HasSubstr("invalid_argument")) << bad;
    EXPECT_THAT(r.body, HasSubstr("Last-Event-ID")) << bad;
  }
  Request request{.method = "GET", .path = "/api/events"};
  request.query.Add("last_event_id", "x");
  EXPECT_THAT(EventsResponse(bus, request).body, HasSubstr("last_event_id"));
  EXPECT_EQ(bus.subscribers(), 0u);
}

TEST(EventsResponse, LargestIdIsAccepted) {
  EventBus bus(Options());
  Response r = EventsResponse(bus, WithHeader("last-event-id", "9223372036854775807"));
  EXPECT_EQ(r.status, 200);
}

TEST(EventsResponse, RejectsUnknownParameters) {
  EventBus bus(Options());
  Request request{.method = "GET", .path = "/api/events"};
  request.query.Add("lastEventId", "1");
  Response r = EventsResponse(bus, request);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("lastEventId: unknown parameter"));
}

// ---- StatusChangeJson

TEST(StatusChangeJson, NamesTheUnitIndicatorPeriodAndStatuses) {
  engine::State state;
  const UnitId u = state.AddUnit({.code = "U17", .name = "Mine \"17\""});
  const IndicatorId coal = state.AddIndicator({.code = "coal"});
  const engine::StatusChange change{.unit = u,
                                    .indicator = coal,
                                    .period = ParsePeriod("2026-01").value(),
                                    .from = engine::FulfilmentStatus::kOnTrack,
                                    .to = engine::FulfilmentStatus::kOverfulfilled,
                                    .percent = 112.5,
                                    .plan = 31,
                                    .actual = 34.875};
  EXPECT_EQ(StatusChangeJson(state, change, "2026-01-31T18:00:00Z"),
            R"({"unit":"U17","unit_name":"Mine \"17\"","indicator":"coal","period":"2026-01",)"
            R"("from":"on_track","to":"overfulfilled","percent":112.5,"plan":31,)"
            R"("actual":34.875,"at":"2026-01-31T18:00:00Z"})");
}

TEST(StatusChangeJson, UndefinedFiguresAreNull) {
  engine::State state;
  state.AddUnit({.code = "U"});
  state.AddIndicator({.code = "i"});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const engine::StatusChange change{.unit = 0,
                                    .indicator = 0,
                                    .period = ParsePeriod("2026").value(),
                                    .from = engine::FulfilmentStatus::kOnTrack,
                                    .to = engine::FulfilmentStatus::kNoPlan,
                                    .percent = nan,
                                    .plan = nan,
                                    .actual = 3};
  const std::string json = StatusChangeJson(state, change, "t");
  EXPECT_THAT(json, HasSubstr(R"("to":"no_plan","percent":null,"plan":null,"actual":3,)"));
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace chollima::http
