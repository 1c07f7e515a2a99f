// The tag=value codec: parsing into views, framing a byte stream, serialising, credentials
// redaction and UTCTimestamp text.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "fix/fields.h"
#include "fix/framer.h"
#include "fix/message.h"
#include "fix/redact.h"
#include "fix/utc_time.h"
#include "fix/validator.h"
#include "fix/writer.h"
#include "tests/fix/fix_test_util.h"

// Counts heap allocations in this binary, so a test can assert that a hot path makes none.
namespace {
thread_local long g_allocations = 0;
}  // namespace
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace td::fix {
namespace {

using testing::Fix;
using testing::Pipes;
using testing::Soh;

const std::string kNos =
    "35=D|34=2|49=TW44|52=20240102-03:04:05.000|56=ISLD|11=ID1|21=1|40=2|44=10.5|54=1|"
    "38=100|55=INTC|60=20240102-03:04:05|";

TEST(Message, ParsesFieldsAsViewsIntoTheInput) {
  const std::string raw = Fix(kNos);
  Message m;
  ASSERT_TRUE(m.Parse(raw).ok());
  EXPECT_EQ(m.msg_type(), "D");
  EXPECT_EQ(m.begin_string(), "FIX.4.4");
  EXPECT_EQ(m.seq_num(), 2);
  EXPECT_EQ(m.Get(tag::kClOrdId), "ID1");
  EXPECT_EQ(m.Get(44), "10.5");
  EXPECT_EQ(m.size(), 16u);  // 8 9 35 ... 10
  for (const Field& f : m.fields()) {
    EXPECT_GE(f.value.data(), raw.data());
    EXPECT_LE(f.value.data() + f.value.size(), raw.data() + raw.size());
  }
  EXPECT_EQ(*m.GetInt(38), 100);
  EXPECT_FALSE(m.GetInt(999).ok());
  EXPECT_NE(m.GetInt(44).status().message().find("tag 44"), std::string::npos);
}

TEST(Message, WrongBodyLengthNamesTheOffsetsAndBothLengths) {
  std::string raw = Fix("35=0|34=2|49=A|52=20240102-03:04:05|56=B|");
  raw.replace(raw.find("9=") + 2, 2, "45");  // four too many
  const std::string fixed_cs = raw.substr(0, raw.find("10=")) + "10=000\x01";
  Message m;
  const Status s = m.Parse(fixed_cs);
  ASSERT_FALSE(s.ok());
  SCOPED_TRACE(Pipes(fixed_cs));
  EXPECT_NE(s.message().find("offset 10, tag 9: BodyLength is 45 but the body"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("is 41 bytes"), std::string::npos) << s.message();
}

TEST(Message, WrongCheckSumNamesOffsetAndComputedValue) {
  std::string raw = Fix("35=0|34=2|49=A|52=20240102-03:04:05|56=B|");
  const size_t cs = raw.find(
                        "\x01"
                        "10=") +
                    1;
  raw.replace(cs + 3, 3, "256");
  Message m;
  const Status s = m.Parse(raw);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset " + std::to_string(cs) + ", tag 10: CheckSum is 256"),
            std::string::npos)
      << s.message();
  raw.replace(cs + 3, 3, "0\x01");
  raw.resize(cs + 5);
  EXPECT_NE(m.Parse(raw).message().find("not three digits"), std::string::npos);
}

TEST(Message, StructureErrorsAreGarbled) {
  Message m;
  // 35 must be the third field.
  EXPECT_NE(m.Parse(Fix("34=2|35=0|")).message().find("third field must be MsgType"),
            std::string::npos);
  // A tag that is not a number.
  const Status s = m.Parse(Fix("35=0|34=2|4garbled9=TW|"));
  EXPECT_NE(s.message().find("tag '4garbled9' is not a number"), std::string::npos) << s.message();
  // A field without '='.
  EXPECT_NE(m.Parse(Fix("35=0|34|")).message().find("has no '='"), std::string::npos);
  // Not starting with BeginString.
  EXPECT_FALSE(m.Parse(Soh("9=5|35=0|10=000|")).ok());
}

TEST(Message, NegativeAndZeroTagsParseSoTheSessionCanRejectThem) {
  Message m;
  ASSERT_TRUE(m.Parse(Fix("35=0|34=2|-1=HI|0=HI|")).ok());
  EXPECT_EQ(m.field(4).tag, -1);
  EXPECT_EQ(m.field(5).tag, 0);
}

TEST(Message, DataFieldMayContainSoh) {
  const std::string raw = Fix("35=A|34=1|95=5|96=a|b|c|98=0|108=30|");
  Message m;
  ASSERT_TRUE(m.Parse(raw).ok());
  EXPECT_EQ(m.Get(96), Soh("a|b|c"));
  EXPECT_EQ(m.Get(98), "0");
}

TEST(Framer, PartialInputNeedsMoreBytesAtEveryCut) {
  const std::string raw = Fix(kNos);
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    const Frame f = FindFrame(std::string_view(raw).substr(0, cut));
    EXPECT_EQ(f.kind, FrameKind::kNeedMore) << "cut at " << cut;
  }
  const Frame f = FindFrame(raw);
  EXPECT_EQ(f.kind, FrameKind::kFrame);
  EXPECT_EQ(f.size, raw.size());
}

TEST(Framer, ConcatenatedMessagesComeOneAtATime) {
  const std::string a = Fix("35=0|34=2|"), b = Fix("35=0|34=3|");
  const std::string both = a + b;
  Frame f = FindFrame(both);
  ASSERT_EQ(f.kind, FrameKind::kFrame);
  EXPECT_EQ(f.size, a.size());
  f = FindFrame(std::string_view(both).substr(a.size()));
  ASSERT_EQ(f.kind, FrameKind::kFrame);
  EXPECT_EQ(f.size, b.size());
}

TEST(Framer, GarbageBeforeBeginStringIsSkippedAndReported) {
  const std::string msg = Fix("35=0|34=2|");
  const std::string in = "xyz" + Soh("35=0|") + msg;
  Frame f = FindFrame(in);
  ASSERT_EQ(f.kind, FrameKind::kGarbage);
  EXPECT_EQ(f.size, 8u);
  EXPECT_EQ(f.problem, "bytes before BeginString (8=)");
  f = FindFrame(std::string_view(in).substr(8));
  EXPECT_EQ(f.kind, FrameKind::kFrame);
  // No "8=" at all: everything but a trailing '8' (it may start "8=") is garbage.
  f = FindFrame("abc8");
  EXPECT_EQ(f.kind, FrameKind::kGarbage);
  EXPECT_EQ(f.size, 3u);
  EXPECT_EQ(FindFrame("8").kind, FrameKind::kNeedMore);
  // BeginString not followed by BodyLength: skip past the "8=" and resynchronise.
  f = FindFrame(Soh("8=FIX.4.4|35=0|") + msg);
  EXPECT_EQ(f.kind, FrameKind::kGarbage);
  EXPECT_NE(f.problem.find("BodyLength"), std::string_view::npos);
}

TEST(Framer, TooLongBodyLengthSwallowsTheNextMessageWhichParseThenRejects) {
  std::string bad = Fix("35=0|34=2|");
  bad.replace(bad.find("9=") + 2, bad.find('\x01', bad.find("9=")) - bad.find("9=") - 2, "30");
  const std::string next = Fix("35=0|34=3|");
  const std::string in = bad + next;
  const Frame f = FindFrame(in);
  ASSERT_EQ(f.kind, FrameKind::kFrame);
  EXPECT_EQ(f.size, in.size());
  Message m;
  EXPECT_NE(m.Parse(in).message().find("BodyLength is 30"), std::string::npos);
}

TEST(Writer, HeaderInStandardOrderAndCorrectLengthAndChecksum) {
  OutMessage out(msg_type::kExecutionReport);
  out.SetHeader(tag::kOnBehalfOfCompId, "CLIENT").SetHeader(tag::kPossResend, "Y");
  out.Add(37, "O1").Add(17, "E1").AddChar(150, '0').AddChar(39, '0').Add(54, "1");
  out.AddDecimal(151, 12345, 2).AddDecimal(14, 5, 3).AddDecimal(6, -7, 0);
  MessageWriter w;
  HeaderFill h;
  h.begin_string = "FIX.4.4";
  h.sender_comp_id = "ISLD";
  h.target_comp_id = "TW44";
  h.msg_seq_num = 7;
  h.sending_time = testing::kT0 + Duration::Millis(89);
  const std::string bytes(w.Write(out, h));
  const std::string text = Pipes(bytes);
  ASSERT_EQ(text.rfind("8=FIX.4.4|9=", 0), 0u);
  const size_t body = text.find("|35=") + 1;
  EXPECT_EQ(text.substr(body, 79),
            "35=8|34=7|49=ISLD|52=20240102-03:04:05.089|56=TW44|97=Y|115=CLIENT|37=O1|17=E1|");
  EXPECT_EQ(text.substr(12, body - 13), std::to_string(text.find("|10=") + 1 - body));
  EXPECT_NE(Pipes(bytes).find("|151=123.45|14=0.005|6=-7|10="), std::string::npos) << Pipes(bytes);
  Message m;
  ASSERT_TRUE(m.Parse(bytes).ok()) << m.Parse(bytes).message();
  EXPECT_EQ(m.Get(37), "O1");
}

TEST(Writer, RoundTripThroughParseAndValidate) {
  OutMessage out(msg_type::kNewOrderSingle);
  out.Add(11, "C1").Add(386, 2).Add(336, "PRE").Add(336, "MAIN").Add(54, "1");
  out.AddUtcTimestamp(60, testing::kT0).AddChar(40, '1');
  MessageWriter w;
  HeaderFill h;
  h.begin_string = "FIX.4.4";
  h.sender_comp_id = "A";
  h.target_comp_id = "B";
  h.msg_seq_num = 1;
  h.sending_time = testing::kT0;
  h.poss_dup = true;
  h.orig_sending_time = "20240102-03:04:04.000";
  Message m;
  ASSERT_TRUE(m.Parse(w.Write(out, h)).ok());
  EXPECT_EQ(m.Get(43), "Y");
  EXPECT_EQ(m.Get(122), "20240102-03:04:04.000");
  EXPECT_EQ(m.Get(60), "20240102-03:04:05.000");
  EXPECT_FALSE(Validate(BuiltinFix44Dictionary(), m).has_value());
}

TEST(Codec, ParseAndValidateDoNotAllocateInSteadyState) {
  const std::string raw = Fix(kNos);
  Message m;
  ASSERT_TRUE(m.Parse(raw).ok());  // warm-up: the field vector reaches its size
  const Dictionary& d = BuiltinFix44Dictionary();
  const long before = g_allocations;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(m.Parse(raw).ok());
    ASSERT_FALSE(Validate(d, m).has_value());
    ASSERT_EQ(FindFrame(raw).kind, FrameKind::kFrame);
  }
  EXPECT_EQ(g_allocations - before, 0);
}

TEST(Codec, SerialisingDoesNotAllocateInSteadyState) {
  OutMessage out(msg_type::kExecutionReport);
  MessageWriter w;
  HeaderFill h;
  h.begin_string = "FIX.4.4";
  h.sender_comp_id = "ISLD";
  h.target_comp_id = "TW44";
  auto build = [&](int i) {
    out.Reset(msg_type::kExecutionReport);
    out.Add(37, "O1").Add(17, i).AddChar(150, 'F').AddChar(39, '1').Add(54, "1").Add(55, "AAPL");
    out.AddDecimal(151, 100, 0).AddDecimal(14, 50, 0).AddDecimal(6, 1234500, 4);
    h.msg_seq_num = i;
    return w.Write(out, h).size();
  };
  build(1);
  build(99);  // warm-up at the longest sizes
  const long before = g_allocations;
  for (int i = 2; i < 100; ++i) build(i);
  EXPECT_EQ(g_allocations - before, 0);
}

TEST(Redact, PasswordsAndRawDataAreMasked) {
  const std::string raw = Fix("35=A|34=1|95=4|96=k|ey|98=0|108=30|553=me|554=secret|925=new|");
  const std::string red = RedactCredentials(raw);
  EXPECT_TRUE(HasCredentials(raw));
  EXPECT_NE(Pipes(red).find("|95=3|96=***|98=0|108=30|553=me|554=***|925=***|10="),
            std::string::npos)
      << Pipes(red);
  Message m;  // still splits into fields (BodyLength/CheckSum no longer match, by design)
  EXPECT_TRUE(m.ParseFieldsOnly(red).ok());
  EXPECT_FALSE(m.Parse(red).ok());
  EXPECT_EQ(RedactCredentials(Fix("35=0|34=2|")), Fix("35=0|34=2|"));
  EXPECT_FALSE(HasCredentials(Fix("35=0|34=2|1554=x|")));
}

TEST(UtcTime, FormatAndParseRoundTrip) {
  char buf[kUtcTimestampMillisLen];
  FormatUtcTimestampMillis(testing::kT0 + Duration::Millis(7), buf);
  EXPECT_EQ(std::string(buf, sizeof buf), "20240102-03:04:05.007");
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05.007")->ns,
            (testing::kT0 + Duration::Millis(7)).ns);
  EXPECT_EQ(ParseUtcTimestamp("20240102-03:04:05")->ns, testing::kT0.ns);
  EXPECT_EQ(ParseUtcTimestamp("19700101-00:00:00.000000001")->ns, 1);
  EXPECT_EQ(ParseUtcTimestamp("20000229-23:59:59")->ns, 951868799LL * kNanosPerSecond);
  EXPECT_FALSE(ParseUtcTimestamp("20230229-00:00:00").ok());
  EXPECT_NE(ParseUtcTimestamp("20241301-00:00:00").status().message().find("month"),
            std::string::npos);
  EXPECT_FALSE(ParseUtcTimestamp("20240101-24:00:00").ok());
  EXPECT_FALSE(ParseUtcTimestamp("20240101-00:00:00.1").ok());
  EXPECT_FALSE(ParseUtcTimestamp("20040415").ok());
}

}  // namespace
}  // namespace td::fix
