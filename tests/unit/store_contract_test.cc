// The contract every Store backend must honour. Parameterized by backend so
// the PostgreSQL implementation runs the same suite.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "temp_store.h"
#include "util/ids.h"

namespace leadterra::store {
namespace {

using domain::Campaign;
using domain::CampaignStatus;

class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_a_ = MakeWorkspace("A");
    ws_b_ = MakeWorkspace("B");
  }

  std::string MakeWorkspace(const std::string& name) {
    domain::Workspace ws{ids_.Next(id_prefix::kWorkspace), name, clock_.NowMillis(), {}};
    domain::ApiKey key{ids_.Next(id_prefix::kApiKey),
                       ws.id,
                       "k",
                       "hash-" + ws.id,
                       "sk_live_abc",
                       clock_.NowMillis(),
                       {}};
    EXPECT_TRUE(store_->CreateWorkspace(ws, key).ok());
    return ws.id;
  }

  Campaign MakeCampaign(const std::string& ws, const std::string& name, int steps = 1) {
    Campaign c;
    c.id = ids_.Next(id_prefix::kCampaign);
    c.workspace_id = ws;
    c.name = name;
    for (int i = 0; i < steps; ++i) c.steps.push_back({double(i), i ? "" : "Hi", "<p>x</p>"});
    c.created_at = c.updated_at = clock_.NowMillis();
    EXPECT_TRUE(store_->CreateCampaign(c).ok());
    return c;
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  testing::TempStore store_;
  std::string ws_a_, ws_b_;
};

TEST_F(StoreContract, CampaignRoundTrip) {
  Campaign c = MakeCampaign(ws_a_, "Q1", 3);
  auto loaded = store_->GetCampaign(ws_a_, c.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->name, "Q1");
  ASSERT_EQ(loaded->steps.size(), 3u);
  EXPECT_EQ(loaded->steps[2].delay_days, 2);
  EXPECT_EQ(loaded->steps[0].subject, "Hi");
  EXPECT_EQ(loaded->status, CampaignStatus::kDraft);
}

TEST_F(StoreContract, OtherWorkspaceSeesNotFound) {
  Campaign c = MakeCampaign(ws_a_, "Q1");
  EXPECT_EQ(store_->GetCampaign(ws_b_, c.id).status().code(), ErrorCode::kNotFound);
  auto update = store_->UpdateCampaign(ws_b_, c.id, [](Campaign& x) {
    x.name = "stolen";
    return Status::Ok();
  });
  EXPECT_EQ(update.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_
                ->DeleteCampaign(
                    ws_b_, c.id, [](const Campaign&) { return Status::Ok(); }, 1)
                .code(),
            ErrorCode::kNotFound);
  auto list = store_->ListCampaigns(ws_b_, std::nullopt, {50, ""});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->items.empty());
  EXPECT_EQ(store_->GetCampaign(ws_a_, c.id)->name, "Q1");
}

TEST_F(StoreContract, FailedMutatorChangesNothing) {
  Campaign c = MakeCampaign(ws_a_, "Q1", 2);
  auto result = store_->UpdateCampaign(ws_a_, c.id, [](Campaign& x) {
    x.name = "changed";
    x.steps.clear();
    return InvalidState("no");
  });
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidState);
  auto loaded = store_->GetCampaign(ws_a_, c.id);
  EXPECT_EQ(loaded->name, "Q1");
  EXPECT_EQ(loaded->steps.size(), 2u);
}

TEST_F(StoreContract, UpdatePersistsStepsAndStatus) {
  Campaign c = MakeCampaign(ws_a_, "Q1", 1);
  auto result = store_->UpdateCampaign(ws_a_, c.id, [](Campaign& x) {
    x.steps.push_back({4, "", "<p>again</p>"});
    x.status = CampaignStatus::kRunning;
    x.started_at = 99;
    return Status::Ok();
  });
  ASSERT_TRUE(result.ok());
  auto loaded = store_->GetCampaign(ws_a_, c.id);
  EXPECT_EQ(loaded->steps.size(), 2u);
  EXPECT_EQ(loaded->status, CampaignStatus::kRunning);
  EXPECT_EQ(loaded->started_at, 99);
}

TEST_F(StoreContract, DeleteHidesAndRespectsCheck) {
  Campaign c = MakeCampaign(ws_a_, "Q1");
  EXPECT_EQ(store_
                ->DeleteCampaign(
                    ws_a_, c.id, [](const Campaign&) { return InvalidState("x"); }, 1)
                .code(),
            ErrorCode::kInvalidState);
  EXPECT_TRUE(store_->GetCampaign(ws_a_, c.id).ok());
  EXPECT_TRUE(store_
                  ->DeleteCampaign(
                      ws_a_, c.id, [](const Campaign&) { return Status::Ok(); }, 1)
                  .ok());
  EXPECT_EQ(store_->GetCampaign(ws_a_, c.id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListCampaigns(ws_a_, std::nullopt, {50, ""})->items.empty());
}

TEST_F(StoreContract, ListPagesWithoutGapsAndFilters) {
  std::vector<std::string> made;
  for (int i = 0; i < 7; ++i) made.push_back(MakeCampaign(ws_a_, "c" + std::to_string(i)).id);
  MakeCampaign(ws_b_, "other");
  std::vector<std::string> seen;
  PageRequest page{3, ""};
  while (true) {
    auto p = store_->ListCampaigns(ws_a_, std::nullopt, page);
    ASSERT_TRUE(p.ok());
    for (auto& c : p->items) seen.push_back(c.id);
    if (!p->has_more) break;
    page.after_id = seen.back();
  }
  EXPECT_EQ(seen, made);
  ASSERT_TRUE(store_
                  ->UpdateCampaign(ws_a_, made[2],
                                   [](Campaign& x) {
                                     x.status = CampaignStatus::kPaused;
                                     return Status::Ok();
                                   })
                  .ok());
  auto paused = store_->ListCampaigns(ws_a_, CampaignStatus::kPaused, {50, ""});
  ASSERT_EQ(paused->items.size(), 1u);
  EXPECT_EQ(paused->items[0].id, made[2]);
}

TEST_F(StoreContract, ApiKeys) {
  auto key = store_->FindApiKeyByHash("hash-" + ws_a_);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->workspace_id, ws_a_);
  EXPECT_EQ(store_->FindApiKeyByHash("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->RevokeApiKey(ws_b_, key->id, 5).status().code(), ErrorCode::kNotFound);
  auto revoked = store_->RevokeApiKey(ws_a_, key->id, 5);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_at, 5);
  EXPECT_EQ(store_->RevokeApiKey(ws_a_, key->id, 9)->revoked_at, 5);  // first time kept
  auto list = store_->ListApiKeys(ws_a_, {50, ""});
  ASSERT_EQ(list->items.size(), 1u);
}

TEST_F(StoreContract, WorkspacesSoftDelete) {
  ASSERT_TRUE(store_->DeleteWorkspace(ws_a_, 7).ok());
  auto ws = store_->GetWorkspace(ws_a_);
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(ws->deleted_at, 7);
  EXPECT_EQ(store_->DeleteWorkspace(ws_a_, 8).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListWorkspaces()->size(), 2u);
}

TEST_F(StoreContract, IdempotencyLifecycle) {
  using Outcome = IdempotencyStore::Outcome;
  auto first = store_->BeginIdempotent(ws_a_, "k1", "h1", 1000, 0, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->outcome, Outcome::kProceed);
  EXPECT_EQ(store_->BeginIdempotent(ws_a_, "k1", "h1", 1001, 0, 0)->outcome, Outcome::kInProgress);
  ASSERT_TRUE(store_->CompleteIdempotent(ws_a_, "k1", 201, "{\"data\":1}").ok());
  auto replay = store_->BeginIdempotent(ws_a_, "k1", "h1", 1002, 0, 0);
  EXPECT_EQ(replay->outcome, Outcome::kReplay);
  EXPECT_EQ(replay->status, 201);
  EXPECT_EQ(replay->body, "{\"data\":1}");
  EXPECT_EQ(store_->BeginIdempotent(ws_a_, "k1", "h2", 1003, 0, 0)->outcome, Outcome::kMismatch);
  // Keys are per workspace.
  EXPECT_EQ(store_->BeginIdempotent(ws_b_, "k1", "h2", 1003, 0, 0)->outcome, Outcome::kProceed);
  // Expired records are forgotten.
  EXPECT_EQ(store_->BeginIdempotent(ws_a_, "k1", "h2", 5000, 2000, 0)->outcome, Outcome::kProceed);
  // A stale reservation (crash mid-request) is reclaimed; a released one too.
  EXPECT_EQ(store_->BeginIdempotent(ws_a_, "k1", "h2", 9000, 0, 6000)->outcome, Outcome::kProceed);
  ASSERT_TRUE(store_->ReleaseIdempotent(ws_a_, "k1").ok());
  EXPECT_EQ(store_->BeginIdempotent(ws_a_, "k1", "h3", 9001, 0, 0)->outcome, Outcome::kProceed);
}

LeadUpsert Row(IdGenerator& ids, const std::string& email) {
  LeadUpsert row;
  row.new_id = ids.Next(id_prefix::kLead);
  row.email = email;
  row.email_normalized = domain::NormalizeEmail(email);
  return row;
}

// JSON text with the spaces between tokens removed: PostgreSQL's jsonb
// prints `{"a": 1}` where SQLite prints `{"a":1}`.
std::string WithoutSpaces(const std::string& json) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"' && (i == 0 || json[i - 1] != '\\')) in_string = !in_string;
    if (in_string || c != ' ') out.push_back(c);
  }
  return out;
}

TEST_F(StoreContract, UpsertAndEnrollCountsAndDedupes) {
  Campaign c = MakeCampaign(ws_a_, "Q1");
  std::vector<LeadUpsert> rows = {Row(ids_, "a@x.io"), Row(ids_, "b@x.io")};
  rows[0].first_name = "Ann";
  rows[0].custom_fields_patch = R"({"plan":"pro","seats":3})";
  auto first = store_->UpsertAndEnroll(ws_a_, c.id, rows, {"plan", "seats"}, 10);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->created, 2);
  EXPECT_EQ(first->enrolled, 2);

  // Same people again, one with new data: updated and already enrolled.
  std::vector<LeadUpsert> again = {Row(ids_, "A@X.io"), Row(ids_, "c@x.io")};
  again[0].last_name = "Lee";
  again[0].custom_fields_patch = R"({"seats":null,"tier":"gold"})";
  auto second = store_->UpsertAndEnroll(ws_a_, c.id, again, {"tier"}, 20);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->created, 1);
  EXPECT_EQ(second->updated, 1);
  EXPECT_EQ(second->enrolled, 1);
  EXPECT_EQ(second->already_enrolled, 1);

  auto page = store_->ListEnrollments(ws_a_, c.id, std::nullopt, {50, ""});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 3u);
  const domain::Lead& ann = page->items[0].lead;
  EXPECT_EQ(ann.email, "A@X.io");
  EXPECT_EQ(ann.first_name, "Ann");  // kept: not given the second time
  EXPECT_EQ(ann.last_name, "Lee");
  EXPECT_EQ(WithoutSpaces(ann.custom_fields_json), R"({"plan":"pro","tier":"gold"})");
  EXPECT_EQ(ann.updated_at, 20);
  EXPECT_EQ(ann.created_at, 10);

  auto counters = store_->GetCampaignCounters(ws_a_, c.id);
  EXPECT_EQ(counters->enrolled, 3);
  EXPECT_EQ(counters->queued, 3);
  EXPECT_EQ(*store_->ListCustomFieldKeys(ws_a_),
            (std::vector<std::string>{"plan", "seats", "tier"}));
  EXPECT_TRUE(store_->ListCustomFieldKeys(ws_b_)->empty());
}

TEST_F(StoreContract, LeadsAreScopedByWorkspace) {
  Campaign a = MakeCampaign(ws_a_, "A");
  Campaign b = MakeCampaign(ws_b_, "B");
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, a.id, {Row(ids_, "same@x.io")}, {}, 1).ok());
  auto in_b = store_->UpsertAndEnroll(ws_b_, b.id, {Row(ids_, "same@x.io")}, {}, 1);
  EXPECT_EQ(in_b->created, 1);  // a different workspace has its own lead
  EXPECT_EQ(store_->UpsertAndEnroll(ws_b_, a.id, {Row(ids_, "x@x.io")}, {}, 1).status().code(),
            ErrorCode::kNotFound);
  std::string lead_a =
      store_->ListEnrollments(ws_a_, a.id, std::nullopt, {50, ""})->items[0].lead.id;
  EXPECT_EQ(store_->GetLead(ws_b_, lead_a).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListEnrollments(ws_b_, a.id, std::nullopt, {50, ""}).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveEnrollment(ws_b_, a.id, lead_a, 2).code(), ErrorCode::kNotFound);
}

TEST_F(StoreContract, EnrollmentPagesAndRemoval) {
  Campaign c = MakeCampaign(ws_a_, "Q1");
  std::vector<LeadUpsert> rows;
  for (int i = 0; i < 25; ++i) rows.push_back(Row(ids_, "l" + std::to_string(i) + "@x.io"));
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, c.id, rows, {}, 1).ok());
  std::vector<std::string> seen;
  PageRequest page{10, ""};
  while (true) {
    auto p = store_->ListEnrollments(ws_a_, c.id, std::nullopt, page);
    ASSERT_TRUE(p.ok());
    for (auto& e : p->items) seen.push_back(e.lead.id);
    if (!p->has_more) break;
    page.after_id = seen.back();
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  ASSERT_TRUE(store_->RemoveEnrollment(ws_a_, c.id, seen[3], 5).ok());
  ASSERT_TRUE(store_->RemoveEnrollment(ws_a_, c.id, seen[3], 6).ok());  // idempotent
  EXPECT_EQ(store_->RemoveEnrollment(ws_a_, c.id, "lead_nope", 6).code(), ErrorCode::kNotFound);
  auto removed = store_->ListEnrollments(ws_a_, c.id, domain::EnrollmentStatus::kRemoved, {50, ""});
  ASSERT_EQ(removed->items.size(), 1u);
  EXPECT_EQ(removed->items[0].lead.id, seen[3]);
  auto counters = store_->GetCampaignCounters(ws_a_, c.id);
  EXPECT_EQ(counters->enrolled, 24);
  EXPECT_EQ(counters->queued, 24);
}

TEST_F(StoreContract, CountMissingFields) {
  Campaign c = MakeCampaign(ws_a_, "Q1");
  std::vector<LeadUpsert> rows = {Row(ids_, "a@x.io"), Row(ids_, "b@x.io"), Row(ids_, "c@x.io")};
  rows[0].first_name = "Ann";
  rows[1].first_name = "  ";
  rows[0].custom_fields_patch = R"({"plan":"pro"})";
  rows[1].custom_fields_patch = R"({"plan":""})";
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, c.id, rows, {"plan"}, 1).ok());
  auto gaps =
      store_->CountMissingFields(ws_a_, c.id, {"firstName", "plan", "email", R"(odd"key)"}, 1);
  ASSERT_TRUE(gaps.ok()) << gaps.status().message();
  EXPECT_EQ((*gaps)[0].missing, 2);
  EXPECT_EQ((*gaps)[0].sample_lead_ids.size(), 1u);
  EXPECT_EQ((*gaps)[1].missing, 2);
  EXPECT_EQ((*gaps)[2].missing, 0);
  EXPECT_EQ((*gaps)[3].missing, 3);
  // The samples are the leads with the smallest ids, whichever way the
  // backend walks the leads (SQLite scans a workspace that is mostly this
  // campaign and probes the campaign's leads in a larger one).
  auto listed = store_->ListEnrollments(ws_a_, c.id, std::nullopt, {50, ""});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 3u);
  auto all = store_->CountMissingFields(ws_a_, c.id, {"email", R"(odd"key)"}, 2);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[1].sample_lead_ids,
            (std::vector<std::string>{listed->items[0].lead.id, listed->items[1].lead.id}));
  Campaign small = MakeCampaign(ws_a_, "Q2");
  std::vector<LeadUpsert> more;
  for (int i = 0; i < 6; ++i) more.push_back(Row(ids_, "m" + std::to_string(i) + "@y.io"));
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, small.id, {more[4]}, {}, 2).ok());
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, c.id, more, {}, 3).ok());
  auto probed = store_->CountMissingFields(ws_a_, small.id, {"firstName", "plan"}, 5);
  ASSERT_TRUE(probed.ok());
  EXPECT_EQ((*probed)[0].missing, 1);
  EXPECT_EQ((*probed)[1].missing, 1);
  EXPECT_EQ((*probed)[0].sample_lead_ids.size(), 1u);
  auto grown = store_->CountMissingFields(ws_a_, c.id, {"firstName", "plan"}, 20);
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ((*grown)[0].missing, 8);
  EXPECT_EQ((*grown)[1].missing, 8);
  EXPECT_EQ((*grown)[0].sample_lead_ids.size(), 8u);
  EXPECT_TRUE(
      std::is_sorted((*grown)[0].sample_lead_ids.begin(), (*grown)[0].sample_lead_ids.end()));
}

TEST(StoreBackend, NodesStartingTogetherMigrateOnceAndCreateOneFirstWorkspace) {
  testing::TempStore empty(1000, /*open=*/false);
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Store>> nodes(kNodes);
  std::vector<std::string> errors(kNodes);
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto opened = empty.OpenAgain();
      if (!opened.ok()) {
        errors[i] = opened.status().message();
        return;
      }
      nodes[i] = std::move(opened).value();
      const std::string n = std::to_string(i);
      domain::Workspace ws{"ws_first" + n, "Default", 1, {}};
      domain::ApiKey key{"key_first" + n, ws.id, "k", "hash-first" + n, "sk_live_f", 1, {}};
      auto made = nodes[i]->CreateFirstWorkspace(ws, key);
      if (!made.ok()) errors[i] = made.status().message();
      if (made.ok() && *made) ++created;
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  EXPECT_EQ(created.load(), 1);
  ASSERT_TRUE(nodes[0]);
  auto all = nodes[0]->ListWorkspaces();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST(StoreBackend, MigrationsAreIdempotentAcrossReopen) {
  testing::TempStore first;
  auto reopened = first.OpenAgain();
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ((*reopened)->Backend(), first.backend());
}

// Search (SPEC §12): every page of every prefix, at every page size, gives
// each matching lead exactly once, in (matched text, id) order, whichever of
// its four texts matched and however many leads share a text.
TEST_F(StoreContract, LeadSearchPagesGiveEachMatchOnceInOrder) {
  Campaign c = MakeCampaign(ws_a_, "Search");
  const std::vector<std::string> firsts = {"Jo", "John", "Joan", "Anna", "ann", "Zed", ""};
  const std::vector<std::string> lasts = {"Johnson", "Jones", "Acme", "Smith", ""};
  const std::vector<std::string> companies = {"Acme Corp", "ACME", "Jolly Ltd", "Beta", ""};
  std::vector<LeadUpsert> rows;
  for (int i = 0; i < 120; ++i) {
    LeadUpsert row;
    row.new_id = ids_.Next(id_prefix::kLead);
    const std::string local = (i % 3 == 0 ? "jo" : i % 3 == 1 ? "acme" : "x") + std::to_string(i);
    row.email = local + "@d" + std::to_string(i % 4) + ".test";
    row.email_normalized = row.email;
    auto pick = [&](const std::vector<std::string>& from, int salt) {
      const std::string& v = from[static_cast<size_t>(i * salt + salt) % from.size()];
      return v.empty() ? std::optional<std::string>() : std::optional<std::string>(v);
    };
    row.first_name = pick(firsts, 7);
    row.last_name = pick(lasts, 5);
    row.company = pick(companies, 3);
    rows.push_back(row);
  }
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_a_, c.id, rows, {}, clock_.NowMillis()).ok());
  auto lower = [](std::string v) {
    for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v;
  };
  for (const std::string prefix :
       {"jo", "acme", "ann", "j", "a", "john", "x1", "zed ", "nomatch"}) {
    // The expected answer: each lead once, under its smallest matching text.
    std::vector<std::pair<std::string, std::string>> want;  // (key, id)
    for (const LeadUpsert& row : rows) {
      std::string first = row.first_name.value_or(""), last = row.last_name.value_or("");
      std::string name = first + " " + last;
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      std::optional<std::string> best;
      for (const std::string& key :
           {row.email_normalized, lower(name), lower(last), lower(row.company.value_or(""))}) {
        if (!key.empty() && key.rfind(prefix, 0) == 0 && (!best || key < *best)) best = key;
      }
      if (best) want.emplace_back(*best, row.new_id);
    }
    std::sort(want.begin(), want.end());
    for (int limit : {1, 3, 50}) {
      std::vector<std::pair<std::string, std::string>> got;
      LeadSearch search;
      search.prefix = prefix;
      search.limit = limit;
      for (int pages = 0; pages < 500; ++pages) {
        auto page = store_->SearchLeads(ws_a_, search);
        ASSERT_TRUE(page.ok()) << page.status().message();
        for (const LeadSearchResult& r : page->items) got.emplace_back(r.key, r.lead.id);
        if (!page->has_more) break;
        search.after_key = page->items.back().key;
        search.after_id = page->items.back().lead.id;
      }
      EXPECT_EQ(got, want) << "prefix '" << prefix << "', pages of " << limit;
    }
  }
  // Another workspace finds nothing of them.
  LeadSearch all;
  all.prefix = "jo";
  auto other = store_->SearchLeads(ws_b_, all);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->items.empty());
}

}  // namespace
}  // namespace leadterra::store
