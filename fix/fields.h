// FIX 4.4 tag numbers, message types and reject reasons used by the codec and the session
// layer (FIX 4.4 Volume 2 for the session messages, Volume 6 for the field dictionary). Plain
// constants; no state.
#pragma once

#include <string_view>

namespace td::fix {

inline constexpr char kSoh = '\x01';
inline constexpr std::string_view kBeginStringFix44 = "FIX.4.4";

namespace tag {
inline constexpr int kBeginSeqNo = 7;
inline constexpr int kBeginString = 8;
inline constexpr int kBodyLength = 9;
inline constexpr int kCheckSum = 10;
inline constexpr int kClOrdId = 11;
inline constexpr int kEndSeqNo = 16;
inline constexpr int kMsgSeqNum = 34;
inline constexpr int kMsgType = 35;
inline constexpr int kNewSeqNo = 36;
inline constexpr int kPossDupFlag = 43;
inline constexpr int kRefSeqNum = 45;
inline constexpr int kSenderCompId = 49;
inline constexpr int kSendingTime = 52;
inline constexpr int kTargetCompId = 56;
inline constexpr int kText = 58;
inline constexpr int kSignature = 89;
inline constexpr int kSignatureLength = 93;
inline constexpr int kRawDataLength = 95;
inline constexpr int kRawData = 96;
inline constexpr int kPossResend = 97;
inline constexpr int kEncryptMethod = 98;
inline constexpr int kHeartBtInt = 108;
inline constexpr int kTestReqId = 112;
inline constexpr int kOnBehalfOfCompId = 115;
inline constexpr int kOnBehalfOfSubId = 116;
inline constexpr int kOrigSendingTime = 122;
inline constexpr int kGapFillFlag = 123;
inline constexpr int kDeliverToCompId = 128;
inline constexpr int kDeliverToSubId = 129;
inline constexpr int kResetSeqNumFlag = 141;
inline constexpr int kOnBehalfOfLocationId = 144;
inline constexpr int kDeliverToLocationId = 145;
inline constexpr int kRefTagId = 371;
inline constexpr int kRefMsgType = 372;
inline constexpr int kSessionRejectReason = 373;
inline constexpr int kBusinessRejectReason = 380;
inline constexpr int kUsername = 553;
inline constexpr int kPassword = 554;
inline constexpr int kNewPassword = 925;
}  // namespace tag

namespace msg_type {
inline constexpr std::string_view kHeartbeat = "0";
inline constexpr std::string_view kTestRequest = "1";
inline constexpr std::string_view kResendRequest = "2";
inline constexpr std::string_view kReject = "3";
inline constexpr std::string_view kSequenceReset = "4";
inline constexpr std::string_view kLogout = "5";
inline constexpr std::string_view kLogon = "A";
inline constexpr std::string_view kNewOrderSingle = "D";
inline constexpr std::string_view kOrderCancelRequest = "F";
inline constexpr std::string_view kOrderCancelReplaceRequest = "G";
inline constexpr std::string_view kOrderStatusRequest = "H";
inline constexpr std::string_view kOrderMassCancelRequest = "q";
inline constexpr std::string_view kOrderMassCancelReport = "r";
inline constexpr std::string_view kExecutionReport = "8";
inline constexpr std::string_view kOrderCancelReject = "9";
inline constexpr std::string_view kBusinessMessageReject = "j";
inline constexpr std::string_view kOrderMassStatusRequest = "AF";
inline constexpr std::string_view kSecurityDefinition = "d";
}  // namespace msg_type

// The session-level message types (FIX 4.4 Volume 2): never resent, replaced by a gap fill.
inline bool IsAdminMsgType(std::string_view t) {
  return t.size() == 1 && (t[0] == 'A' || (t[0] >= '0' && t[0] <= '5'));
}

// SessionRejectReason (373), FIX 4.4 Volume 6.
enum class SessionRejectReason : int {
  kInvalidTagNumber = 0,
  kRequiredTagMissing = 1,
  kTagNotDefinedForMessageType = 2,
  kUndefinedTag = 3,
  kTagSpecifiedWithoutValue = 4,
  kValueIsIncorrect = 5,
  kIncorrectDataFormat = 6,
  kDecryptionProblem = 7,
  kSignatureProblem = 8,
  kCompIdProblem = 9,
  kSendingTimeAccuracyProblem = 10,
  kInvalidMsgType = 11,
  kXmlValidationError = 12,
  kTagAppearsMoreThanOnce = 13,
  kTagSpecifiedOutOfRequiredOrder = 14,
  kRepeatingGroupFieldsOutOfOrder = 15,
  kIncorrectNumInGroupCount = 16,
  kNonDataValueIncludesFieldDelimiter = 17,
  kOther = 99,
};

// The Text (58) sent with each reason; the wording is the one counterparties (and the QuickFIX
// acceptance suite) expect.
std::string_view SessionRejectReasonText(SessionRejectReason reason);

// BusinessRejectReason (380).
enum class BusinessRejectReason : int {
  kOther = 0,
  kUnknownId = 1,
  kUnknownSecurity = 2,
  kUnsupportedMessageType = 3,
  kApplicationNotAvailable = 4,
  kConditionallyRequiredFieldMissing = 5,
  kNotAuthorized = 6,
  kDeliverToFirmNotAvailable = 7,
  kInvalidPriceIncrement = 18,
};

std::string_view BusinessRejectReasonText(BusinessRejectReason reason);

}  // namespace td::fix
