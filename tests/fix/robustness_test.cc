// Malformed input never crashes the codec or the session: random bytes, truncations and byte
// flips of valid messages go through FindFrame, Message::Parse, Validate and Session::OnBytes.
// Randomised: prints its seed; TD_SEED=<n> replays one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "fix/framer.h"
#include "fix/message.h"
#include "fix/redact.h"
#include "fix/session.h"
#include "fix/validator.h"
#include "tests/fix/fix_test_util.h"

namespace td::fix {
namespace {

using testing::Fix;
using testing::kT0;
using testing::Ts;

uint64_t Seed() {
  const char* env = std::getenv("TD_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 20240102;
  std::printf("robustness seed: %llu (TD_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

class NullHost : public SessionHost {
 public:
  void SendBytes(std::string_view b) override { sent += b.size(); }
  void Disconnect(std::string_view) override { ++disconnects; }
  void OnAppMessage(const Message& m) override { apps += m.size(); }
  size_t sent = 0, apps = 0;
  int disconnects = 0;
};

std::vector<std::string> Corpus() {
  const std::string t = Ts(kT0).substr(0, 17);
  const std::string h = "49=CLIENT|52=" + t + "|56=VENUE|";
  return {
      Fix("35=A|34=1|" + h + "98=0|108=30|95=3|96=a|b|"),
      Fix("35=D|34=2|" + h + "11=X|40=1|54=1|60=" + t + "|386=2|336=A|625=B|336=C|"),
      Fix("35=2|34=3|" + h + "7=1|16=0|"),
      Fix("35=4|34=4|" + h + "123=Y|36=9|"),
      Fix("35=1|34=9|" + h + "112=T|"),
      Fix("35=0|34=10|" + h + "-1=x|0=|999=y|"),
  };
}

TEST(Robustness, MutatedMessagesNeverCrashTheCodec) {
  std::mt19937_64 rng(Seed());
  const std::vector<std::string> corpus = Corpus();
  const Dictionary& dict = BuiltinFix44Dictionary();
  Message m;
  size_t frames = 0, parsed = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::string s = corpus[rng() % corpus.size()];
    switch (rng() % 4) {
      case 0:
        s.resize(rng() % (s.size() + 1));
        break;  // truncate
      case 1:
        s[rng() % s.size()] = static_cast<char>(rng());
        break;  // flip a byte
      case 2:
        s.insert(rng() % s.size(), 1 + rng() % 4, '\x01');
        break;  // extra SOH
      default:
        s.resize(rng() % 64);
        for (char& c : s) c = static_cast<char>(rng() % 3 == 0 ? '=' : rng());  // noise
    }
    std::string_view buf = s;
    for (int guard = 0; guard < 1000 && !buf.empty(); ++guard) {
      const Frame f = FindFrame(buf);
      if (f.kind == FrameKind::kNeedMore) break;
      ASSERT_GT(f.size, 0u);
      ASSERT_LE(f.size, buf.size());
      if (f.kind == FrameKind::kFrame) {
        ++frames;
        if (m.Parse(buf.substr(0, f.size)).ok()) {
          ++parsed;
          (void)Validate(dict, m);
        }
      }
      buf.remove_prefix(f.size);
    }
    (void)m.ParseFieldsOnly(s);
    (void)RedactCredentials(s);
  }
  EXPECT_GT(frames, 1000u);
  EXPECT_GT(parsed, 100u);
}

TEST(Robustness, SessionSurvivesGarbageStreams) {
  std::mt19937_64 rng(Seed() + 1);
  const std::vector<std::string> corpus = Corpus();
  for (int run = 0; run < 200; ++run) {
    NullHost host;
    MemoryMessageStore store;
    SessionConfig c;
    c.sender_comp_id = "VENUE";
    Session s(c, host, store);
    Timestamp now = kT0;
    s.OnConnected(now);
    s.OnBytes(now, corpus[0]);  // a valid Logon first, most of the time
    for (int i = 0; i < 50 && s.status() != SessionStatus::kDisconnected; ++i) {
      std::string chunk = corpus[rng() % corpus.size()];
      if (rng() % 2) chunk[rng() % chunk.size()] = static_cast<char>(rng());
      chunk.resize(rng() % (chunk.size() + 1));
      s.OnBytes(now, chunk);
      now += Duration::Millis(static_cast<int64_t>(rng() % 5000));
      s.OnTimer(now);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace td::fix
