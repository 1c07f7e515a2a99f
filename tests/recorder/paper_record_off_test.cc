// The paper runtime's benchmark seams (recorder/paper_runtime.h, PaperOptions::record and
// end_at_market_end), in process against the real exchange server code over loopback TCP:
// with recording off the session trades as usual and writes nothing; with recording on the
// journal holds what the summary says it does. Behaviour only, never timing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "journal/reader.h"
#include "marketdata/synthetic.h"
#include "recorder/paper_runtime.h"
#include "replayer/market_source.h"
#include "replayer/run_config.h"
#include "sim-exchange/server/exchange_app.h"
#include "sim-exchange/server/exchange_core.h"
#include "sim-exchange/server/fix_acceptor.h"
#include "sim-exchange/server/md_server.h"

namespace td::recorder {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMarketEvents = 20'000;

std::vector<Event> SyntheticRecords(std::vector<InstrumentDef>* instruments) {
  marketdata::SyntheticConfig sc;
  sc.duration = Duration::Seconds(24 * 3600);
  replayer::SyntheticMarketSource synth(sc, 1);
  *instruments = synth.instruments();
  std::vector<Event> records;
  Event e;
  while (records.size() < kMarketEvents && synth.Next(&e)) records.push_back(e);
  return records;
}

// The exchange as `tapedeck exchange serve` wires it, unpaced, on its own thread; the market
// starts once the paper session is subscribed to the feed and logged on to the FIX port.
class Exchange {
 public:
  Exchange(const std::vector<InstrumentDef>& instruments, const std::vector<Event>& records)
      : start_timer_(io_) {
    server::ExchangeOptions eo;
    eo.seed = 1;
    eo.speed = server::Speed::Max();
    auto core = server::ExchangeCore::Create(
        io_, std::make_unique<replayer::MemoryMarketSource>(instruments, records), eo);
    EXPECT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(*core);
    server::MdServerOptions mo;
    mo.bind_address = "127.0.0.1";
    auto md = server::MdServer::Create(io_, *core_, mo);
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    md_ = std::move(*md);
    core_->SetPublisher(md_.get());
    app_ = std::make_unique<server::ExchangeApp>(*core_, server::ExchangeAppOptions{});
    acceptor_ = std::make_unique<server::FixAcceptor>(io_, server::FixAcceptorConfig{}, *app_);
    EXPECT_TRUE(acceptor_->Start().ok());
    StartWhenSubscribed();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Exchange() {
    boost::asio::post(io_, [this] {
      start_timer_.cancel();
      core_->Stop();
      acceptor_->Stop();
      md_->Stop();
      io_.stop();
    });
    thread_.join();
  }
  uint16_t fix_port() const { return acceptor_->port(); }
  uint16_t md_port() const { return md_->port(); }

 private:
  void StartWhenSubscribed() {
    if (md_->subscriber_count() >= 1 && core_->session_open()) return core_->Start();
    start_timer_.expires_after(std::chrono::milliseconds(1));
    start_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) StartWhenSubscribed();
    });
  }

  boost::asio::io_context io_;
  boost::asio::steady_timer start_timer_;
  std::unique_ptr<server::ExchangeCore> core_;
  std::unique_ptr<server::MdServer> md_;
  std::unique_ptr<server::ExchangeApp> app_;
  std::unique_ptr<server::FixAcceptor> acceptor_;
  std::thread thread_;
};

Result<PaperSummary> RunSession(bool record, const std::string& journal_dir) {
  std::vector<InstrumentDef> instruments;
  const std::vector<Event> records = SyntheticRecords(&instruments);
  Exchange x(instruments, records);
  PaperOptions o;
  o.fix_port = x.fix_port();
  o.md_port = x.md_port();
  Result<std::string> text = replayer::WithEngineSelection("", "market-maker", "", "(test)");
  EXPECT_TRUE(text.ok());
  o.config_text = *text;
  o.config_origin = "test";
  o.duration = Duration::Seconds(60);  // a bound: the market ends long before
  o.journal_dir = journal_dir;
  o.quiet = true;
  o.record = record;
  o.end_at_market_end = true;
  return RunPaperSession(o);
}

std::string TempDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name + "_" + std::to_string(::getpid());
  fs::remove_all(dir);
  return dir;
}

TEST(PaperRecordOff, TradesAsUsualAndWritesNothing) {
  const std::string dir = TempDir("paper_record_off");
  Result<PaperSummary> s = RunSession(/*record=*/false, dir);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->end_reason, "market data ended");
  EXPECT_GE(s->market_data, kMarketEvents);  // every record, plus the touch quotes
  EXPECT_GT(s->outputs, 0u);
  // It trades: orders went out and the venue's replies (acks) came back as engine inputs.
  EXPECT_GT(s->wire_out, 1u) << "no order was sent after the Logon";
  EXPECT_GT(s->wire_in, 1u);
  EXPECT_GT(s->inputs, s->market_data + s->timers_fired + 2) << "no venue reply reached the engine";
  EXPECT_EQ(s->md_gaps, 0u);
  EXPECT_EQ(s->journal_records, 0u);
  EXPECT_EQ(s->journal_stored_bytes, 0u);
  EXPECT_TRUE(s->journal_dir.empty());
  EXPECT_FALSE(fs::exists(dir)) << "recording off created the journal directory";
  EXPECT_FALSE(fs::exists(DefaultControlPath(dir))) << "the control socket was left behind";
}

TEST(PaperRecordOff, RecordingOnJournalsEveryInputOutputAndWireMessage) {
  const std::string dir = TempDir("paper_record_on");
  Result<PaperSummary> s = RunSession(/*record=*/true, dir);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->end_reason, "market data ended");
  EXPECT_GT(s->wire_out, 1u);
  EXPECT_EQ(s->journal_records, s->inputs + s->outputs + s->wire_in + s->wire_out);
  EXPECT_EQ(s->journal_dropped, 0u);
  auto reader = journal::JournalReader::Open(dir);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  uint64_t n = 0;
  while ((*reader)->Next() != nullptr) ++n;
  EXPECT_TRUE((*reader)->status().ok());
  EXPECT_EQ(n, s->journal_records);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace td::recorder
