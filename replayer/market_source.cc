#include "replayer/market_source.h"

#include "replayer/record_kinds.h"

namespace td::replayer {

Result<std::unique_ptr<JournalMarketSource>> JournalMarketSource::Open(const std::string& dir) {
  auto r = journal::JournalReader::Open(dir);
  if (!r.ok()) return r.status();
  return std::unique_ptr<JournalMarketSource>(new JournalMarketSource(std::move(*r)));
}

bool JournalMarketSource::Next(Event* out) {
  while (const Event* e = reader_->Next()) {
    if (!IsMarketData(e->payload)) continue;
    *out = *e;
    return true;
  }
  return false;
}

}  // namespace td::replayer
