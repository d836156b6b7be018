#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string>

namespace salesops::notification {

// Notification's own metrics, next to the common gRPC and database ones:
//   salesops_notification_events_received_total{outcome="stored|duplicate"}
//   salesops_notification_deliveries_total{channel, outcome}
//     channel: inbox, stream, webhook, service
//     outcome: delivered, failed (will retry), refused (final answer), dead_lettered
//   salesops_notification_delivery_seconds{channel}: event occurred → delivered
//   salesops_notification_dead_letters_total{channel}
//   salesops_notification_stream_subscribers
class NotificationMetrics {
 public:
  explicit NotificationMetrics(prometheus::Registry& registry)
      : received_(prometheus::BuildCounter()
                      .Name("salesops_notification_events_received_total")
                      .Help("Events published to notification, by outcome (stored, duplicate).")
                      .Register(registry)),
        deliveries_(prometheus::BuildCounter()
                        .Name("salesops_notification_deliveries_total")
                        .Help("Deliveries by channel and outcome (delivered, failed, refused, "
                              "dead_lettered).")
                        .Register(registry)),
        delivery_seconds_(prometheus::BuildHistogram()
                              .Name("salesops_notification_delivery_seconds")
                              .Help("From the moment an event occurred in its source service to "
                                    "its delivery, by channel.")
                              .Register(registry)),
        dead_letters_(prometheus::BuildCounter()
                          .Name("salesops_notification_dead_letters_total")
                          .Help("Deliveries that exhausted their retries, by channel.")
                          .Register(registry)),
        stream_subscribers_(prometheus::BuildGauge()
                                .Name("salesops_notification_stream_subscribers")
                                .Help("WatchNotifications streams open now.")
                                .Register(registry)
                                .Add({})) {}

  void EventReceived(bool duplicate) {
    received_.Add({{"outcome", duplicate ? "duplicate" : "stored"}}).Increment();
  }
  void Delivery(const std::string& channel, const std::string& outcome, int count = 1) {
    if (count > 0) deliveries_.Add({{"channel", channel}, {"outcome", outcome}}).Increment(count);
  }
  void Delivered(const std::string& channel, std::chrono::duration<double> since_event,
                 int count = 1) {
    if (count <= 0) return;
    Delivery(channel, "delivered", count);
    prometheus::Histogram& histogram = delivery_seconds_.Add(
        {{"channel", channel}},
        prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                10, 30, 60, 300, 1800});
    for (int i = 0; i < count; ++i) histogram.Observe(std::max(0.0, since_event.count()));
  }
  void DeadLettered(const std::string& channel) {
    Delivery(channel, "dead_lettered");
    dead_letters_.Add({{"channel", channel}}).Increment();
  }
  prometheus::Gauge& stream_subscribers() { return stream_subscribers_; }

 private:
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Family<prometheus::Histogram>& delivery_seconds_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Gauge& stream_subscribers_;
};

}  // namespace salesops::notification
