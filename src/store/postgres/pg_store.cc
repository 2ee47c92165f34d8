#include "store/postgres/pg_store.h"

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "store/sql/sql_store.h"

namespace leadterra::store {

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const OpenOptions& options) {
  LT_ASSIGN_OR_RETURN(auto pool, postgres::OpenPgPool(url, options.connections));
  {
    auto conn = pool->Acquire();
    LT_RETURN_IF_ERROR(postgres::ApplyMigrations(*conn));
  }
  return MakeSqlStore(std::move(pool), {options.day_millis, options.lease_millis, "postgres", "",
                                        postgres::LatestSchemaVersion()});
}

}  // namespace leadterra::store
