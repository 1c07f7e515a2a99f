#include "fix/fields.h"

namespace td::fix {

std::string_view SessionRejectReasonText(SessionRejectReason reason) {
  switch (reason) {
    case SessionRejectReason::kInvalidTagNumber:
      return "Invalid tag number";
    case SessionRejectReason::kRequiredTagMissing:
      return "Required tag missing";
    case SessionRejectReason::kTagNotDefinedForMessageType:
      return "Tag not defined for this message type";
    case SessionRejectReason::kUndefinedTag:
      return "Undefined Tag";
    case SessionRejectReason::kTagSpecifiedWithoutValue:
      return "Tag specified without a value";
    case SessionRejectReason::kValueIsIncorrect:
      return "Value is incorrect (out of range) for this tag";
    case SessionRejectReason::kIncorrectDataFormat:
      return "Incorrect data format for value";
    case SessionRejectReason::kDecryptionProblem:
      return "Decryption problem";
    case SessionRejectReason::kSignatureProblem:
      return "Signature problem";
    case SessionRejectReason::kCompIdProblem:
      return "CompID problem";
    case SessionRejectReason::kSendingTimeAccuracyProblem:
      return "SendingTime accuracy problem";
    case SessionRejectReason::kInvalidMsgType:
      return "Invalid MsgType";
    case SessionRejectReason::kXmlValidationError:
      return "XML Validation error";
    case SessionRejectReason::kTagAppearsMoreThanOnce:
      return "Tag appears more than once";
    case SessionRejectReason::kTagSpecifiedOutOfRequiredOrder:
      return "Tag specified out of required order";
    case SessionRejectReason::kRepeatingGroupFieldsOutOfOrder:
      return "Repeating group fields out of order";
    case SessionRejectReason::kIncorrectNumInGroupCount:
      return "Incorrect NumInGroup count for repeating group";
    case SessionRejectReason::kNonDataValueIncludesFieldDelimiter:
      return "Non Data value includes field delimiter (SOH character)";
    case SessionRejectReason::kOther:
      return "Other";
  }
  return "Other";
}

std::string_view BusinessRejectReasonText(BusinessRejectReason reason) {
  switch (reason) {
    case BusinessRejectReason::kOther:
      return "Other";
    case BusinessRejectReason::kUnknownId:
      return "Unknown ID";
    case BusinessRejectReason::kUnknownSecurity:
      return "Unknown Security";
    case BusinessRejectReason::kUnsupportedMessageType:
      return "Unsupported Message Type";
    case BusinessRejectReason::kApplicationNotAvailable:
      return "Application not available";
    case BusinessRejectReason::kConditionallyRequiredFieldMissing:
      return "Conditionally Required Field Missing";
    case BusinessRejectReason::kNotAuthorized:
      return "Not authorized";
    case BusinessRejectReason::kDeliverToFirmNotAvailable:
      return "DeliverTo firm not available at this time";
    case BusinessRejectReason::kInvalidPriceIncrement:
      return "Invalid price increment";
  }
  return "Other";
}

}  // namespace td::fix
