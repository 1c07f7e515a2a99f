// The data dictionary (built-in table and QuickFIX XML loader) and validation: one test per
// session-level reject reason the validator produces.
#include <gtest/gtest.h>

#include <filesystem>

#include "fix/dictionary.h"
#include "fix/message.h"
#include "fix/validator.h"
#include "tests/fix/fix_test_util.h"

namespace td::fix {
namespace {

using testing::Fix;

const std::string kHdr = "34=2|49=TW44|52=20240102-03:04:05|56=ISLD|";

std::optional<Rejection> Check(const std::string& body,
                               const Dictionary& d = BuiltinFix44Dictionary()) {
  static Message m;
  static std::string raw;  // the message's bytes must outlive it
  raw = Fix(body);
  const Status s = m.Parse(raw);
  EXPECT_TRUE(s.ok()) << s.message();
  return Validate(d, m);
}

void ExpectReject(const std::string& body, SessionRejectReason reason, int tag) {
  const std::optional<Rejection> r = Check(body);
  ASSERT_TRUE(r.has_value()) << body;
  EXPECT_EQ(r->reason, reason) << body << " -> " << SessionRejectReasonText(r->reason);
  EXPECT_TRUE(r->has_ref_tag) << body;
  EXPECT_EQ(r->ref_tag, tag) << body;
}

TEST(BuiltinDictionary, CoversSessionAndExchangeMessages) {
  const Dictionary& d = BuiltinFix44Dictionary();
  EXPECT_EQ(d.begin_string(), "FIX.4.4");
  for (const char* t :
       {"0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "q", "r", "8", "9", "j", "AF"}) {
    EXPECT_NE(d.FindMessage(t), nullptr) << t;
  }
  const FieldDef* side = d.FindField(54);
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->name, "Side");
  EXPECT_EQ(side->type, FieldType::kChar);
  EXPECT_TRUE(side->IsAllowedValue("2"));
  EXPECT_FALSE(side->IsAllowedValue("Z"));
  EXPECT_EQ(d.FindFieldByName("OrderQty")->tag, 38);
  const MessageDef* nos = d.FindMessage("D");
  EXPECT_TRUE(nos->body.IsRequired(11));
  EXPECT_FALSE(nos->body.IsRequired(38));
  const GroupDef* g = nos->body.FindGroup(386);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->delimiter_tag, 336);
  EXPECT_TRUE(d.IsHeaderField(52));
  EXPECT_TRUE(d.IsHeaderField(628));  // NoHops member
  EXPECT_TRUE(d.IsTrailerField(10));
  EXPECT_TRUE(d.FindMessage("8")->body.IsRequired(150));
}

TEST(FieldFormats, FixDataTypes) {
  EXPECT_TRUE(IsValidFormat(FieldType::kQty, "002000.00"));
  EXPECT_TRUE(IsValidFormat(FieldType::kPrice, "-.5"));
  EXPECT_FALSE(IsValidFormat(FieldType::kQty, "+200.00"));
  EXPECT_FALSE(IsValidFormat(FieldType::kQty, "1e5"));
  EXPECT_FALSE(IsValidFormat(FieldType::kQty, "."));
  EXPECT_TRUE(IsValidFormat(FieldType::kInt, "-1"));
  EXPECT_FALSE(IsValidFormat(FieldType::kSeqNum, "-1"));
  EXPECT_FALSE(IsValidFormat(FieldType::kChar, "AB"));
  EXPECT_FALSE(IsValidFormat(FieldType::kBoolean, "y"));
  EXPECT_TRUE(IsValidFormat(FieldType::kUtcTimestamp, "20040415-01:02:03.123"));
  EXPECT_FALSE(IsValidFormat(FieldType::kUtcTimestamp, "20040415"));
  EXPECT_TRUE(IsValidFormat(FieldType::kLocalMktDate, "20040415"));
  EXPECT_TRUE(IsValidFormat(FieldType::kMonthYear, "200404w2"));
  EXPECT_TRUE(IsValidFormat(FieldType::kUtcTimeOnly, "23:59:60"));
}

TEST(Validate, AcceptsWellFormedMessages) {
  EXPECT_FALSE(Check("35=0|" + kHdr).has_value());
  EXPECT_FALSE(
      Check("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|386=1|336=A|625=B|").has_value());
  EXPECT_FALSE(Check("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|453=0|").has_value());
  EXPECT_FALSE(Check("35=D|" + kHdr + "11=X|18=1 2|40=1|54=1|60=20240102-03:04:05|").has_value());
}

TEST(Validate, Reason0InvalidTagNumber) {
  ExpectReject("35=0|" + kHdr + "999=HI|", SessionRejectReason::kInvalidTagNumber, 999);
  ExpectReject("35=0|" + kHdr + "0=HI|", SessionRejectReason::kInvalidTagNumber, 0);
  ExpectReject("35=0|" + kHdr + "-1=HI|", SessionRejectReason::kInvalidTagNumber, -1);
}

TEST(Validate, Reason1RequiredTagMissing) {
  ExpectReject("35=0|34=2|49=TW44|52=20240102-03:04:05|", SessionRejectReason::kRequiredTagMissing,
               56);
  // The lowest missing tag first (11 before 54 and 60).
  ExpectReject("35=D|" + kHdr + "40=1|", SessionRejectReason::kRequiredTagMissing, 11);
  // Inside a group entry: NoMsgTypes entries need nothing, so use a required body field.
  ExpectReject("35=1|" + kHdr, SessionRejectReason::kRequiredTagMissing, 112);
}

TEST(Validate, Reason2TagNotDefinedForMessageType) {
  ExpectReject("35=0|" + kHdr + "55=MSFT|", SessionRejectReason::kTagNotDefinedForMessageType, 55);
}

TEST(Validate, Reason4TagWithoutValue) {
  ExpectReject("35=0|34=2|49=TW44|52=20240102-03:04:05|56=|",
               SessionRejectReason::kTagSpecifiedWithoutValue, 56);
}

TEST(Validate, Reason5ValueOutOfRange) {
  ExpectReject("35=D|" + kHdr + "11=X|21=4|40=1|54=1|60=20240102-03:04:05|",
               SessionRejectReason::kValueIsIncorrect, 21);
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|167=BOO|",
               SessionRejectReason::kValueIsIncorrect, 167);
}

TEST(Validate, Reason6IncorrectDataFormat) {
  ExpectReject("35=D|" + kHdr + "11=X|38=+200.00|40=1|54=1|60=20240102-03:04:05|",
               SessionRejectReason::kIncorrectDataFormat, 38);
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|126=20040415|",
               SessionRejectReason::kIncorrectDataFormat, 126);
}

TEST(Validate, Reason11InvalidMsgType) {
  const std::optional<Rejection> r = Check("35=*|" + kHdr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, SessionRejectReason::kInvalidMsgType);
  EXPECT_FALSE(r->has_ref_tag);
}

TEST(Validate, Reason13TagAppearsMoreThanOnce) {
  ExpectReject("35=D|" + kHdr + "11=X|40=1|40=2|54=1|60=20240102-03:04:05|",
               SessionRejectReason::kTagAppearsMoreThanOnce, 40);
}

TEST(Validate, Reason14HeaderFieldAfterBody) {
  ExpectReject("35=D|11=id|21=3|40=1|54=1|55=MSFT|60=20240102-03:04:05|" + kHdr,
               SessionRejectReason::kTagSpecifiedOutOfRequiredOrder, 34);
}

TEST(Validate, Reason15GroupFieldsOutOfOrder) {
  // The entry must start with its delimiter (336), and members follow definition order.
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|386=1|625=B|336=A|",
               SessionRejectReason::kRepeatingGroupFieldsOutOfOrder, 625);
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|453=1|448=P|452=1|447=D|",
               SessionRejectReason::kRepeatingGroupFieldsOutOfOrder, 447);
}

TEST(Validate, Reason16NumInGroupCount) {
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|386=3|336=PRE|336=AFTER|60=20240102-03:04:05|",
               SessionRejectReason::kIncorrectNumInGroupCount, 386);
  // An entry behind a zero count is a count mismatch too.
  ExpectReject("35=D|" + kHdr + "11=X|40=1|54=1|60=20240102-03:04:05|386=0|336=PRE|",
               SessionRejectReason::kIncorrectNumInGroupCount, 386);
}

// A tiny dictionary written for this test (QuickFIX's XML layout, our own content).
constexpr std::string_view kTinyXml = R"(<fix type='FIX' major='4' minor='4'>
 <header><field name='BeginString' required='Y'/><field name='BodyLength' required='Y'/>
  <field name='MsgType' required='Y'/><field name='SenderCompID' required='Y'/>
  <field name='TargetCompID' required='Y'/><field name='MsgSeqNum' required='Y'/>
  <field name='SendingTime' required='Y'/></header>
 <trailer><field name='CheckSum' required='Y'/></trailer>
 <messages>
  <message name='Heartbeat' msgtype='0' msgcat='admin'><field name='TestReqID' required='N'/>
    </message>
  <message name='Order' msgtype='D' msgcat='app'>
   <field name='ClOrdID' required='Y'/><component name='Legs' required='Y'/>
  </message>
 </messages>
 <components>
  <component name='Legs'><group name='NoLegs' required='Y'><field name='LegSymbol' required='Y'/>
   <field name='LegSide' required='N'/></group></component>
 </components>
 <fields>
  <field number='8' name='BeginString' type='STRING'/>
    <field number='9' name='BodyLength' type='LENGTH'/>
  <field number='10' name='CheckSum' type='STRING'/>
    <field number='11' name='ClOrdID' type='STRING'/>
  <field number='34' name='MsgSeqNum' type='SEQNUM'/>
    <field number='35' name='MsgType' type='STRING'/>
  <field number='49' name='SenderCompID' type='STRING'/>
    <field number='52' name='SendingTime' type='UTCTIMESTAMP'/>
  <field number='56' name='TargetCompID' type='STRING'/>
    <field number='112' name='TestReqID' type='STRING'/>
  <field number='555' name='NoLegs' type='NUMINGROUP'/>
    <field number='600' name='LegSymbol' type='STRING'/>
  <field number='624' name='LegSide' type='CHAR'><value enum='1' description='BUY'/>
    <value enum='2' description='SELL'/></field>
 </fields>
</fix>)";

TEST(XmlDictionary, LoadsComponentsGroupsAndRequiredness) {
  Result<Dictionary> d = ParseDictionaryXml(kTinyXml, "tiny.xml");
  ASSERT_TRUE(d.ok()) << d.status().message();
  const MessageDef* order = d->FindMessage("D");
  ASSERT_NE(order, nullptr);
  EXPECT_TRUE(order->body.IsRequired(555));
  const GroupDef* legs = order->body.FindGroup(555);
  ASSERT_NE(legs, nullptr);
  EXPECT_EQ(legs->delimiter_tag, 600);
  EXPECT_TRUE(legs->entry.IsRequired(600));
  EXPECT_TRUE(d->FindField(624)->IsAllowedValue("2"));
  EXPECT_FALSE(Check("35=D|" + kHdr + "11=X|555=2|600=A|624=1|600=B|", *d).has_value());
  const std::optional<Rejection> r = Check("35=D|" + kHdr + "11=X|555=1|600=A|624=3|", *d);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, SessionRejectReason::kValueIsIncorrect);
}

TEST(XmlDictionary, ErrorsNameTheFileAndElement) {
  std::string bad(kTinyXml);
  bad.replace(bad.find("name='LegSide' required='N'"), 14, "name='NoSuchFd'");
  Result<Dictionary> d = ParseDictionaryXml(bad, "bad.xml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("bad.xml"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("NoSuchFd"), std::string::npos) << d.status().message();
  EXPECT_FALSE(ParseDictionaryXml("<fix><oops", "broken.xml").ok());
  EXPECT_FALSE(LoadDictionaryXml("/nonexistent/dict.xml").ok());
}

TEST(XmlDictionary, LoadsQuickFixFix44Xml) {
  const std::filesystem::path path =
      std::filesystem::path(TD_SHARED_DATA_DIR) / "quickfix" / "FIX44.xml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (shared data folder)";
  Result<Dictionary> d = LoadDictionaryXml(path.string());
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_GT(d->field_count(), 800u);
  EXPECT_GT(d->message_count(), 80u);
  EXPECT_EQ(d->begin_string(), "FIX.4.4");
  EXPECT_TRUE(d->FindMessage("D")->body.IsRequired(11));
  // Our built-in table agrees with it on what the exchange relies on.
  for (const char* t : {"D", "F", "G", "8", "9"}) {
    for (int r : BuiltinFix44Dictionary().FindMessage(t)->body.required()) {
      EXPECT_TRUE(d->FindMessage(t)->body.IsRequired(r)) << t << " tag " << r;
    }
  }
}

}  // namespace
}  // namespace td::fix
