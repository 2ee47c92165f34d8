// The event outbox end to end below the API: events written in the
// transactions that cause them, fan-out to subscribed endpoints, leases, and
// the dispatcher posting to a real (tiny) HTTP receiver on loopback, on an
// injected clock.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "temp_store.h"
#include "util/ids.h"
#include "util/secret_box.h"
#include "webhook/dispatcher.h"
#include "webhook/signature.h"

namespace leadterra {
namespace {

using domain::CampaignStatus;

// An HTTP/1.1 server that answers every POST with `status` and records what
// it got. One connection at a time, closed after each answer.
class TinyReceiver {
 public:
  struct Received {
    std::string head;
    std::string body;
  };

  explicit TinyReceiver(int status) : status_(status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyReceiver() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Received> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  void Serve() {
    while (true) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string data;
      char buf[4096];
      size_t head_end = std::string::npos;
      size_t need = 0;
      while (true) {
        ssize_t n = ::recv(client, buf, sizeof(buf), 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (head_end == std::string::npos &&
            (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          std::string lower = data.substr(0, head_end);
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          size_t cl = lower.find("content-length:");
          need = head_end + 4 + (cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15)));
        }
        if (head_end != std::string::npos && data.size() >= need) break;
      }
      if (head_end != std::string::npos) {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back({data.substr(0, head_end), data.substr(head_end + 4)});
      }
      std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                           " X\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope";
      ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  int status_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> received_;
};

std::string HeaderValue(const std::string& head, const std::string& name) {
  size_t at = head.find(name + ": ");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  return head.substr(start, head.find("\r\n", start) - start);
}

class WebhookOutbox : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = MakeWorkspace();
    other_ws_ = MakeWorkspace();
  }

  std::string MakeWorkspace() {
    domain::Workspace ws{ids_.Next(id_prefix::kWorkspace), "W", clock_.NowMillis(), {}};
    domain::ApiKey key{ids_.Next(id_prefix::kApiKey), ws.id, "k", "hash-" + ws.id, "sk", 0, {}};
    EXPECT_TRUE(store_->CreateWorkspace(ws, key).ok());
    return ws.id;
  }

  // Returns the webhook and its plain secret.
  std::pair<domain::Webhook, std::string> MakeWebhook(const std::string& ws, const std::string& url,
                                                      std::vector<std::string> events) {
    domain::Webhook w;
    w.id = ids_.Next(id_prefix::kWebhook);
    w.workspace_id = ws;
    w.url = url;
    w.events = std::move(events);
    w.created_at = clock_.NowMillis();
    const std::string secret = "whsec_" + w.id;
    w.secret_sealed = secrets_.Seal(secret, domain::WebhookSecretPurpose(w.id));
    EXPECT_TRUE(store_->CreateWebhook(w).ok());
    return {w, secret};
  }

  domain::Campaign MakeCampaign(const std::string& ws) {
    domain::Campaign c;
    c.id = ids_.Next(id_prefix::kCampaign);
    c.workspace_id = ws;
    c.name = "Q1";
    c.steps.push_back({0, "Hi", "<p>x</p>"});
    c.created_at = c.updated_at = clock_.NowMillis();
    EXPECT_TRUE(store_->CreateCampaign(c).ok());
    return c;
  }

  Status SetStatus(const domain::Campaign& c, CampaignStatus status, bool fail = false) {
    return store_
        ->UpdateCampaign(c.workspace_id, c.id,
                         [&](domain::Campaign& x) -> Status {
                           x.status = status;
                           x.updated_at = clock_.NowMillis();
                           if (status == CampaignStatus::kRunning && !x.started_at) {
                             x.started_at = x.updated_at;
                           }
                           return fail ? InvalidState("no") : Status::Ok();
                         })
        .status();
  }

  std::vector<store::WebhookDelivery> Deliveries(const domain::Webhook& w) {
    auto page = store_->ListWebhookDeliveries(w.workspace_id, w.id, std::nullopt, {100, ""});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<store::WebhookDelivery>{};
  }

  webhook::WebhookDispatcher Dispatcher(int max_per_endpoint = 16) {
    webhook::DispatcherOptions options;
    options.max_per_endpoint = max_per_endpoint;
    options.timeout_millis = 5000;
    options.retry = {1000, 8000, 60000};
    return webhook::WebhookDispatcher(*store_, clock_, secrets_, options);
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  SecretBox secrets_{std::array<uint8_t, SecretBox::kKeySize>{7}};
  testing::TempStore store_;
  std::string ws_, other_ws_;
};

TEST_F(WebhookOutbox, CampaignChangesFanOutToSubscribersOnly) {
  auto [started_only, s1] = MakeWebhook(ws_, "http://127.0.0.1:1/a", {"campaign.started"});
  auto [both, s2] =
      MakeWebhook(ws_, "http://127.0.0.1:1/b", {"campaign.started", "campaign.paused"});
  auto [elsewhere, s3] = MakeWebhook(other_ws_, "http://127.0.0.1:1/c", {"campaign.started"});
  domain::Campaign c = MakeCampaign(ws_);
  ASSERT_TRUE(SetStatus(c, CampaignStatus::kRunning).ok());
  ASSERT_TRUE(SetStatus(c, CampaignStatus::kPaused).ok());

  auto a = Deliveries(started_only);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_type, "campaign.started");
  EXPECT_EQ(a[0].status, store::DeliveryStatus::kPending);
  auto b = Deliveries(both);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].event_type, "campaign.paused");  // newest first
  EXPECT_EQ(b[1].event_id, a[0].event_id);        // one event, two deliveries
  EXPECT_TRUE(Deliveries(elsewhere).empty());
}

TEST_F(WebhookOutbox, FailedChangeWritesNoEvent) {
  auto [w, secret] = MakeWebhook(ws_, "http://127.0.0.1:1/a", {"campaign.started"});
  domain::Campaign c = MakeCampaign(ws_);
  EXPECT_FALSE(SetStatus(c, CampaignStatus::kRunning, /*fail=*/true).ok());
  EXPECT_TRUE(Deliveries(w).empty());
}

TEST_F(WebhookOutbox, DeleteStopsPendingDeliveriesAndHidesTheEndpoint) {
  auto [w, secret] = MakeWebhook(ws_, "http://127.0.0.1:1/a", {"campaign.started"});
  ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  EXPECT_EQ(store_->DeleteWebhook(other_ws_, w.id, 0).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteWebhook(ws_, w.id, clock_.NowMillis()).ok());
  EXPECT_EQ(store_->GetWebhook(ws_, w.id).status().code(), ErrorCode::kNotFound);
  auto next = store_->NextDeliveryDue();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  // A campaign event after the delete reaches nobody.
  ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  EXPECT_FALSE(store_->NextDeliveryDue()->has_value());
}

TEST_F(WebhookOutbox, LeasesKeepDeliveriesFromGoingOutTwiceAtOnce) {
  auto [w, secret] = MakeWebhook(ws_, "http://127.0.0.1:1/a", {"campaign.started"});
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  const int64_t now = clock_.NowMillis();
  auto room_two = [](const std::string&) { return 2; };
  auto first = store_->LeaseDueDeliveries(now, now + 60000, 10, room_two);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 2u);  // at most `room` per endpoint
  auto second = store_->LeaseDueDeliveries(now, now + 60000, 10, room_two);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_TRUE(store_->LeaseDueDeliveries(now, now + 60000, 10, room_two)->empty());
  ASSERT_TRUE(store_->ReleaseDeliveryLeases(*first).ok());
  EXPECT_EQ(store_->LeaseDueDeliveries(now, now + 60000, 10, room_two)->size(), 2u);
  // An expired lease makes the delivery due again.
  EXPECT_EQ(store_->LeaseDueDeliveries(now + 60000, now + 120000, 10, room_two)->size(), 2u);
}

TEST_F(WebhookOutbox, DispatcherDeliversSignedEvents) {
  TinyReceiver receiver(204);
  auto [w, secret] = MakeWebhook(ws_, receiver.Url(), {"campaign.started"});
  ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  auto event_id =
      store_->EmitEventTo(ws_, w.id, domain::WebhookTestEvent(w.id), clock_.NowMillis());
  ASSERT_TRUE(event_id.ok());

  auto dispatcher = Dispatcher();
  auto sent = dispatcher.RunOnce();
  ASSERT_TRUE(sent.ok()) << sent.status().message();
  EXPECT_EQ(*sent, 2);
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) {
    const std::string signature = HeaderValue(r.head, "Leadterra-Signature");
    EXPECT_TRUE(webhook::VerifySignature(signature, secret, r.body, clock_.NowMillis() / 1000, 0))
        << r.head;
    EXPECT_NE(r.body.find("\"id\":\"" + HeaderValue(r.head, "Leadterra-Event-Id") + "\""),
              std::string::npos);
  }
  for (const auto& d : Deliveries(w)) {
    EXPECT_EQ(d.status, store::DeliveryStatus::kDelivered);
    ASSERT_EQ(d.attempts.size(), 1u);
    EXPECT_EQ(d.attempts[0].status_code, 204);
    EXPECT_FALSE(d.attempts[0].error);
  }
  auto stored = store_->GetWebhook(ws_, w.id);
  EXPECT_EQ(stored->last_success_at, clock_.NowMillis());
  EXPECT_TRUE(dispatcher.RunOnce().value() == 0);  // nothing left
}

TEST_F(WebhookOutbox, EndpointSlotsAreGivenBackAfterEachAnswer) {
  TinyReceiver receiver(200);
  auto [w, secret] = MakeWebhook(ws_, receiver.Url(), {"campaign.started"});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->EmitEventTo(ws_, w.id, domain::WebhookTestEvent(w.id), 0).ok());
  }
  auto dispatcher = Dispatcher(/*max_per_endpoint=*/2);
  EXPECT_EQ(dispatcher.RunOnce().value(), 2);
  EXPECT_EQ(dispatcher.RunOnce().value(), 2);
  EXPECT_EQ(dispatcher.RunOnce().value(), 1);
  EXPECT_EQ(receiver.Requests().size(), 5u);
}

TEST_F(WebhookOutbox, FailuresBackOffThenFailAndMarkTheEndpointFailing) {
  TinyReceiver receiver(503);
  auto [w, secret] = MakeWebhook(ws_, receiver.Url(), {"campaign.started"});
  ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  auto dispatcher = Dispatcher();
  const int64_t t0 = clock_.NowMillis();

  ASSERT_EQ(dispatcher.RunOnce().value(), 1);
  auto d = Deliveries(w).at(0);
  EXPECT_EQ(d.status, store::DeliveryStatus::kPending);
  ASSERT_TRUE(d.next_attempt_at);
  EXPECT_GE(*d.next_attempt_at, t0 + 800);
  EXPECT_LE(*d.next_attempt_at, t0 + 1200);
  EXPECT_EQ(d.attempts.at(0).status_code, 503);
  EXPECT_NE(d.attempts.at(0).error->find("503"), std::string::npos);
  EXPECT_EQ(dispatcher.RunOnce().value(), 0);  // not due yet

  // Keep failing until the 60 s window is over.
  int rounds = 0;
  while (Deliveries(w).at(0).status == store::DeliveryStatus::kPending && rounds++ < 20) {
    clock_.Set(*Deliveries(w).at(0).next_attempt_at);
    ASSERT_EQ(dispatcher.RunOnce().value(), 1);
  }
  d = Deliveries(w).at(0);
  EXPECT_EQ(d.status, store::DeliveryStatus::kFailed);
  EXPECT_EQ(d.attempt_count, static_cast<int>(d.attempts.size()));
  EXPECT_GE(d.attempt_count, 4);
  auto stored = store_->GetWebhook(ws_, w.id);
  EXPECT_EQ(stored->status, domain::WebhookStatus::kFailing);
  EXPECT_EQ(stored->failing_since, t0);
}

TEST_F(WebhookOutbox, UnreachableEndpointIsRecordedAsAConnectionError) {
  auto [w, secret] = MakeWebhook(ws_, "http://127.0.0.1:1/none", {"campaign.started"});
  ASSERT_TRUE(SetStatus(MakeCampaign(ws_), CampaignStatus::kRunning).ok());
  auto dispatcher = Dispatcher();
  ASSERT_EQ(dispatcher.RunOnce().value(), 1);
  auto d = Deliveries(w).at(0);
  EXPECT_FALSE(d.attempts.at(0).status_code);
  ASSERT_TRUE(d.attempts.at(0).error);
  EXPECT_FALSE(d.attempts.at(0).error->empty());
  EXPECT_EQ(store_->GetWebhook(ws_, w.id)->status, domain::WebhookStatus::kActive);
}

}  // namespace
}  // namespace leadterra
