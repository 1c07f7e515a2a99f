// Our own FIX 4.4 dictionary table, written from the FIX 4.4 specification (Volumes 2, 4 and
// 6) for the messages Tapedeck's simulated exchange speaks. Enumerations list the values the
// specification defines for the fields we validate; fields whose code sets are open-ended or
// rarely constrained (PartyRole, ExecInst, SettlType, ...) accept any well-formed value.
#include <initializer_list>

#include "core/check.h"
#include "fix/dictionary.h"

namespace td::fix {
namespace {

using T = FieldType;

struct F {
  int tag;
  const char* name;
  FieldType type;
  const char* values = "";  // space-separated enumeration, "" = any
};

// clang-format off
const F kFields[] = {
  {1, "Account", T::kString},
  {6, "AvgPx", T::kPrice},
  {7, "BeginSeqNo", T::kSeqNum},
  {8, "BeginString", T::kString},
  {9, "BodyLength", T::kLength},
  {10, "CheckSum", T::kString},
  {11, "ClOrdID", T::kString},
  {12, "Commission", T::kAmt},
  {13, "CommType", T::kChar, "1 2 3 4 5 6"},
  {14, "CumQty", T::kQty},
  {15, "Currency", T::kCurrency},
  {16, "EndSeqNo", T::kSeqNum},
  {17, "ExecID", T::kString},
  {18, "ExecInst", T::kMultipleValueString},
  {19, "ExecRefID", T::kString},
  {21, "HandlInst", T::kChar, "1 2 3"},
  {22, "SecurityIDSource", T::kString, "1 2 3 4 5 6 7 8 9 A B C D E F G H"},
  {30, "LastMkt", T::kExchange},
  {31, "LastPx", T::kPrice},
  {32, "LastQty", T::kQty},
  {34, "MsgSeqNum", T::kSeqNum},
  {35, "MsgType", T::kString},
  {36, "NewSeqNo", T::kSeqNum},
  {37, "OrderID", T::kString},
  {38, "OrderQty", T::kQty},
  {39, "OrdStatus", T::kChar, "0 1 2 3 4 5 6 7 8 9 A B C D E"},
  {40, "OrdType", T::kChar, "1 2 3 4 5 6 7 8 9 A B C D E F G H I J K L M P"},
  {41, "OrigClOrdID", T::kString},
  {43, "PossDupFlag", T::kBoolean},
  {44, "Price", T::kPrice},
  {45, "RefSeqNum", T::kSeqNum},
  {48, "SecurityID", T::kString},
  {49, "SenderCompID", T::kString},
  {50, "SenderSubID", T::kString},
  {52, "SendingTime", T::kUtcTimestamp},
  {54, "Side", T::kChar, "1 2 3 4 5 6 7 8 9 A B C D E F G"},
  {55, "Symbol", T::kString},
  {56, "TargetCompID", T::kString},
  {57, "TargetSubID", T::kString},
  {58, "Text", T::kString},
  {59, "TimeInForce", T::kChar, "0 1 2 3 4 5 6 7"},
  {60, "TransactTime", T::kUtcTimestamp},
  {63, "SettlType", T::kString},
  {64, "SettlDate", T::kLocalMktDate},
  {65, "SymbolSfx", T::kString},
  {66, "ListID", T::kString},
  {75, "TradeDate", T::kLocalMktDate},
  {77, "PositionEffect", T::kChar, "O C R F"},
  {89, "Signature", T::kData},
  {90, "SecureDataLen", T::kLength},
  {91, "SecureData", T::kData},
  {93, "SignatureLength", T::kLength},
  {95, "RawDataLength", T::kLength},
  {96, "RawData", T::kData},
  {97, "PossResend", T::kBoolean},
  {98, "EncryptMethod", T::kInt, "0 1 2 3 4 5 6"},
  {99, "StopPx", T::kPrice},
  {100, "ExDestination", T::kExchange},
  {102, "CxlRejReason", T::kInt, "0 1 2 3 4 5 6 99"},
  {103, "OrdRejReason", T::kInt, "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 18 99"},
  {106, "Issuer", T::kString},
  {107, "SecurityDesc", T::kString},
  {108, "HeartBtInt", T::kInt},
  {110, "MinQty", T::kQty},
  {111, "MaxFloor", T::kQty},
  {112, "TestReqID", T::kString},
  {114, "LocateReqd", T::kBoolean},
  {115, "OnBehalfOfCompID", T::kString},
  {116, "OnBehalfOfSubID", T::kString},
  {117, "QuoteID", T::kString},
  {120, "SettlCurrency", T::kCurrency},
  {121, "ForexReq", T::kBoolean},
  {122, "OrigSendingTime", T::kUtcTimestamp},
  {123, "GapFillFlag", T::kBoolean},
  {126, "ExpireTime", T::kUtcTimestamp},
  {128, "DeliverToCompID", T::kString},
  {129, "DeliverToSubID", T::kString},
  {141, "ResetSeqNumFlag", T::kBoolean},
  {142, "SenderLocationID", T::kString},
  {143, "TargetLocationID", T::kString},
  {144, "OnBehalfOfLocationID", T::kString},
  {145, "DeliverToLocationID", T::kString},
  {150, "ExecType", T::kChar, "0 3 4 5 6 7 8 9 A B C D E F G H I"},
  {151, "LeavesQty", T::kQty},
  {152, "CashOrderQty", T::kQty},
  {167, "SecurityType", T::kString,
   "ABS AMENDED AN BA BN BOX BRADY BRIDGE BUYSELL CB CD CL CMBS CMO COFO COFP CORP CP CPP CS "
   "DEFLTED DINP DN DUAL EUCD EUCORP EUCP EUSOV EUSUPRA FAC FADN FOR FORWARD FUT GO IET LQN "
   "MATURED MBS MF MIO MLEG MPO MPP MPT MT MTN NONE ONITE OPT PEF PFAND PN PS PZFJ RAN REPLACD "
   "REPO RETIRED REVLRP REVO RVLV RVLVTRM SECLOAN SECPLEDGE SPCLA SPCLO SPCLT STN STRUCT "
   "SUPRA SWING TAN TBA TBILL TBOND TCAL TD TECP TERM TINT TIPS TNOTE TPRN TRAN UST USTB VRDN "
   "WAR WITHDRN XCN XLINKD YANK ?"},
  {168, "EffectiveTime", T::kUtcTimestamp},
  {198, "SecondaryOrderID", T::kString},
  {200, "MaturityMonthYear", T::kMonthYear},
  {202, "StrikePrice", T::kPrice},
  {207, "SecurityExchange", T::kExchange},
  {212, "XmlDataLen", T::kLength},
  {213, "XmlData", T::kData},
  {229, "TradeOriginationDate", T::kLocalMktDate},
  {231, "ContractMultiplier", T::kFloat},
  {320, "SecurityReqID", T::kString},
  {322, "SecurityResponseID", T::kString},
  {323, "SecurityResponseType", T::kInt, "1 2 3 4 5 6"},
  {336, "TradingSessionID", T::kString},
  {347, "MessageEncoding", T::kString},
  {354, "EncodedTextLen", T::kLength},
  {355, "EncodedText", T::kData},
  {369, "LastMsgSeqNumProcessed", T::kSeqNum},
  {371, "RefTagID", T::kInt},
  {372, "RefMsgType", T::kString},
  {373, "SessionRejectReason", T::kInt,
   "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 99"},
  {376, "ComplianceID", T::kString},
  {377, "SolicitedFlag", T::kBoolean},
  {378, "ExecRestatementReason", T::kInt, "0 1 2 3 4 5 6 7 8 99"},
  {379, "BusinessRejectRefID", T::kString},
  {380, "BusinessRejectReason", T::kInt, "0 1 2 3 4 5 6 7 8 18"},
  {383, "MaxMessageSize", T::kLength},
  {384, "NoMsgTypes", T::kNumInGroup},
  {385, "MsgDirection", T::kChar, "S R"},
  {386, "NoTradingSessions", T::kNumInGroup},
  {423, "PriceType", T::kInt},
  {432, "ExpireDate", T::kLocalMktDate},
  {434, "CxlRejResponseTo", T::kChar, "1 2"},
  {447, "PartyIDSource", T::kChar, "1 2 3 4 5 6 7 8 9 B C D E F G H I"},
  {448, "PartyID", T::kString},
  {452, "PartyRole", T::kInt},
  {453, "NoPartyIDs", T::kNumInGroup},
  {454, "NoSecurityAltID", T::kNumInGroup},
  {455, "SecurityAltID", T::kString},
  {456, "SecurityAltIDSource", T::kString},
  {460, "Product", T::kInt, "1 2 3 4 5 6 7 8 9 10 11 12 13"},
  {461, "CFICode", T::kString},
  {464, "TestMessageIndicator", T::kBoolean},
  {516, "OrderPercent", T::kPercentage},
  {526, "SecondaryClOrdID", T::kString},
  {527, "SecondaryExecID", T::kString},
  {528, "OrderCapacity", T::kChar, "A G I P R W"},
  {529, "OrderRestrictions", T::kMultipleValueString},
  {530, "MassCancelRequestType", T::kChar, "1 2 3 4 5 6 7"},
  {531, "MassCancelResponse", T::kChar, "0 1 2 3 4 5 6 7"},
  {532, "MassCancelRejectReason", T::kChar, "0 1 2 3 4 5 6"},
  {533, "TotalAffectedOrders", T::kInt},
  {534, "NoAffectedOrders", T::kNumInGroup},
  {535, "AffectedOrderID", T::kString},
  {536, "AffectedSecondaryOrderID", T::kString},
  {541, "MaturityDate", T::kLocalMktDate},
  {544, "CashMargin", T::kChar, "1 2 3"},
  {553, "Username", T::kString},
  {554, "Password", T::kString},
  {561, "RoundLot", T::kQty},
  {562, "MinTradeVol", T::kQty},
  {581, "AccountType", T::kInt, "1 2 3 4 6 7 8"},
  {583, "ClOrdLinkID", T::kString},
  {584, "MassStatusReqID", T::kString},
  {585, "MassStatusReqType", T::kInt, "1 2 3 4 5 6 7 8"},
  {586, "OrigOrdModTime", T::kUtcTimestamp},
  {625, "TradingSessionSubID", T::kString},
  {627, "NoHops", T::kNumInGroup},
  {628, "HopCompID", T::kString},
  {629, "HopSendingTime", T::kUtcTimestamp},
  {630, "HopRefID", T::kSeqNum},
  {636, "WorkingIndicator", T::kBoolean},
  {660, "AcctIDSource", T::kInt, "1 2 3 4 99"},
  {762, "SecuritySubType", T::kString},
  {789, "NextExpectedMsgSeqNum", T::kSeqNum},
  {790, "OrdStatusReqID", T::kString},
  {851, "LastLiquidityInd", T::kInt, "1 2 3"},
  {911, "TotNumReports", T::kInt},
  {912, "LastRptRequested", T::kBoolean},
  {925, "NewPassword", T::kString},
  // Tapedeck's user-defined fields (FIX's 5000-9999 range), carried by the simulated
  // exchange's rejects and status reports (docs/order-entry.md) and allowed in 8, 9 and j only.
  {9701, "RetryAfterNs", T::kInt},
  {9702, "Banned", T::kBoolean},
  {9703, "TdRejectReason", T::kInt},
};
// clang-format on

struct Item {
  int tag;
  bool required = false;
};

void AddAll(FieldSet* set, std::initializer_list<Item> items) {
  for (const Item& i : items) set->Add(i.tag, i.required);
}

// Components (FIX 4.4 Volume 1 "Common Components"), as used by the messages below.
void AddParties(FieldSet* s) {
  GroupDef& g = s->AddGroup(453, false);
  AddAll(&g.entry, {{448}, {447}, {452}});
}
void AddInstrument(FieldSet* s) {
  AddAll(s, {{55}, {65}, {48}, {22}});
  GroupDef& g = s->AddGroup(454, false);
  AddAll(&g.entry, {{455}, {456}});
  AddAll(s, {{460}, {461}, {167}, {762}, {200}, {541}, {202}, {231}, {207}, {106}, {107}});
}
void AddTradingSessions(FieldSet* s) {
  GroupDef& g = s->AddGroup(386, false);
  AddAll(&g.entry, {{336}, {625}});
}
void AddOrderQtyData(FieldSet* s) { AddAll(s, {{38}, {152}, {516}}); }
void AddText(FieldSet* s) { AddAll(s, {{58}, {354}, {355}}); }

Dictionary Build() {
  Dictionary d;
  d.set_begin_string("FIX.4.4");
  for (const F& f : kFields) {
    FieldDef def;
    def.tag = f.tag;
    def.name = f.name;
    def.type = f.type;
    std::string_view v = f.values;
    while (!v.empty()) {
      const size_t sp = v.find(' ');
      def.values.emplace_back(v.substr(0, sp));
      v.remove_prefix(sp == std::string_view::npos ? v.size() : sp + 1);
    }
    Status s = d.AddField(std::move(def));
    TD_CHECK_MSG(s.ok(), s.message().c_str());
  }

  // Standard header and trailer (FIX 4.4 Volume 2, "Standard Message Header/Trailer").
  FieldSet& h = d.mutable_header();
  AddAll(&h, {{8, true},  {9, true}, {35, true}, {49, true}, {56, true}, {115}, {128}, {90},  {91},
              {34, true}, {50},      {142},      {57},       {143},      {116}, {144}, {129}, {145},
              {43},       {97},      {52, true}, {122},      {212},      {213}, {347}, {369}});
  GroupDef& hops = h.AddGroup(627, false);
  AddAll(&hops.entry, {{628}, {629}, {630}});
  AddAll(&d.mutable_trailer(), {{93}, {89}, {10, true}});

  // Session messages (Volume 2).
  AddAll(&d.AddMessage("0", "Heartbeat", true).body, {{112}});
  AddAll(&d.AddMessage("1", "TestRequest", true).body, {{112, true}});
  AddAll(&d.AddMessage("2", "ResendRequest", true).body, {{7, true}, {16, true}});
  {
    FieldSet& b = d.AddMessage("3", "Reject", true).body;
    AddAll(&b, {{45, true}, {371}, {372}, {373}});
    AddText(&b);
  }
  AddAll(&d.AddMessage("4", "SequenceReset", true).body, {{123}, {36, true}});
  AddText(&d.AddMessage("5", "Logout", true).body);
  {
    FieldSet& b = d.AddMessage("A", "Logon", true).body;
    AddAll(&b, {{98, true}, {108, true}, {95}, {96}, {141}, {789}, {383}});
    GroupDef& g = b.AddGroup(384, false);
    AddAll(&g.entry, {{372}, {385}});
    AddAll(&b, {{464}, {553}, {554}});
  }

  // Application messages (Volume 4).
  {
    FieldSet& b = d.AddMessage("D", "NewOrderSingle", false).body;
    AddAll(&b, {{11, true}, {526}, {583}});
    AddParties(&b);
    AddAll(&b, {{229}, {1}, {660}, {581}, {21}, {18}, {110}, {111}, {100}});
    AddTradingSessions(&b);
    AddInstrument(&b);
    AddAll(&b, {{54, true}, {114}, {60, true}});
    AddOrderQtyData(&b);
    AddAll(&b, {{40, true}, {423}, {44}, {99},  {15},  {376}, {377}, {117}, {59}, {168}, {432},
                {126},      {12},  {13}, {528}, {529}, {121}, {120}, {63},  {64}, {77},  {544}});
    AddText(&b);
  }
  {
    FieldSet& b = d.AddMessage("F", "OrderCancelRequest", false).body;
    AddAll(&b, {{41, true}, {37}, {11, true}, {526}, {583}, {66}, {586}, {1}, {660}, {581}});
    AddParties(&b);
    AddInstrument(&b);
    AddAll(&b, {{54, true}, {60, true}});
    AddOrderQtyData(&b);
    AddAll(&b, {{376}});
    AddText(&b);
  }
  {
    FieldSet& b = d.AddMessage("G", "OrderCancelReplaceRequest", false).body;
    AddAll(&b, {{37}});
    AddParties(&b);
    AddAll(&b, {{229},
                {41, true},
                {11, true},
                {526},
                {583},
                {66},
                {586},
                {1},
                {660},
                {581},
                {21},
                {18},
                {110},
                {111},
                {100}});
    AddTradingSessions(&b);
    AddInstrument(&b);
    AddAll(&b, {{54, true}, {60, true}});
    AddOrderQtyData(&b);
    AddAll(&b, {{40, true},
                {423},
                {44},
                {99},
                {15},
                {376},
                {59},
                {168},
                {432},
                {126},
                {12},
                {13},
                {528},
                {529},
                {77},
                {544}});
    AddText(&b);
  }
  {
    FieldSet& b = d.AddMessage("H", "OrderStatusRequest", false).body;
    AddAll(&b, {{37}, {11, true}, {526}, {583}});
    AddParties(&b);
    AddAll(&b, {{790}, {1}, {660}});
    AddInstrument(&b);
    AddAll(&b, {{54, true}});
  }
  {
    FieldSet& b = d.AddMessage("q", "OrderMassCancelRequest", false).body;
    AddAll(&b, {{11, true}, {526}, {530, true}, {336}, {625}});
    AddInstrument(&b);
    AddAll(&b, {{54}, {60, true}});
    AddText(&b);
  }
  {
    FieldSet& b = d.AddMessage("r", "OrderMassCancelReport", false).body;
    AddAll(&b, {{11}, {526}, {37, true}, {198}, {530, true}, {531, true}, {532}, {533}});
    GroupDef& g = b.AddGroup(534, false);
    AddAll(&g.entry, {{41}, {535}, {536}});
    AddAll(&b, {{336}, {625}});
    AddInstrument(&b);
    AddAll(&b, {{54}, {60}});
    AddText(&b);
  }
  {
    FieldSet& b = d.AddMessage("8", "ExecutionReport", false).body;
    AddAll(&b, {{37, true}, {198}, {526}, {527}, {11}, {41}, {583}, {790}, {584}, {911}, {912}});
    AddParties(&b);
    AddAll(&b, {{229},
                {17, true},
                {19},
                {150, true},
                {39, true},
                {636},
                {103},
                {378},
                {1},
                {660},
                {581},
                {63},
                {64},
                {544}});
    AddInstrument(&b);
    AddAll(&b, {{54, true}});
    AddOrderQtyData(&b);
    AddAll(&b, {{40},        {423},      {44},      {99},  {15}, {376}, {377}, {59},  {168}, {432},
                {126},       {18},       {528},     {529}, {32}, {31},  {30},  {336}, {625}, {851},
                {151, true}, {14, true}, {6, true}, {75},  {60}, {12},  {13},  {77}});
    AddText(&b);
    AddAll(&b, {{9701}, {9702}, {9703}});
  }
  {
    FieldSet& b = d.AddMessage("9", "OrderCancelReject", false).body;
    AddAll(&b, {{37, true},
                {198},
                {526},
                {11, true},
                {583},
                {41, true},
                {39, true},
                {636},
                {586},
                {66},
                {1},
                {660},
                {581},
                {229},
                {60},
                {434, true},
                {102}});
    AddText(&b);
    AddAll(&b, {{9701}, {9702}, {9703}});
  }
  {
    FieldSet& b = d.AddMessage("j", "BusinessMessageReject", false).body;
    AddAll(&b, {{45}, {372, true}, {379}, {380, true}});
    AddText(&b);
    AddAll(&b, {{9701}, {9702}, {9703}});
  }
  {
    FieldSet& b = d.AddMessage("AF", "OrderMassStatusRequest", false).body;
    AddAll(&b, {{584, true}, {585, true}});
    AddParties(&b);
    AddAll(&b, {{1}, {660}, {336}, {625}});
    AddInstrument(&b);
    AddAll(&b, {{54}});
  }
  {
    FieldSet& b = d.AddMessage("d", "SecurityDefinition", false).body;
    AddAll(&b, {{320, true}, {322, true}, {323, true}});
    AddInstrument(&b);
    AddAll(&b, {{15}, {336}, {625}});
    AddText(&b);
    AddAll(&b, {{561}, {562}});
  }

  Status s = d.Finalize();
  TD_CHECK_MSG(s.ok(), s.message().c_str());
  return d;
}

}  // namespace

const Dictionary& BuiltinFix44Dictionary() {
  // Built once on first use and immutable afterwards (a constant table, not mutable state).
  static const Dictionary kDictionary = Build();
  return kDictionary;
}

}  // namespace td::fix
