#include "store/sql/sql_connection.h"

#include <chrono>
#include <random>
#include <thread>

namespace leadterra::store::sql {

ConnectionPool::ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
    : all_(std::move(connections)) {
  for (auto& conn : all_) free_.push_back(conn.get());
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Connection* conn = free_.back();
  free_.pop_back();
  return Lease(this, conn);
}

ConnectionPool::Lease::~Lease() {
  if (!conn_) return;
  {
    std::lock_guard<std::mutex> lock(pool_->mu_);
    pool_->free_.push_back(conn_);
  }
  pool_->cv_.notify_one();
}

void PauseBeforeRetry(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<int> millis(1, 10 * attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(millis(random)));
}

Status TruncateWal(Connection& conn) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    const bool busy = row && stmt->ColumnInt(0) != 0;
    stmt->Reset();
    if (!busy) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Internal("the WAL could not be truncated: readers kept it busy");
}

}  // namespace leadterra::store::sql
