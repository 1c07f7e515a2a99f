#include "fix/session.h"

#include <algorithm>
#include <string>

#include "fix/framer.h"
#include "fix/utc_time.h"
#include "fix/validator.h"

namespace td::fix {
namespace {

std::string Num(int64_t v) { return std::to_string(v); }

// Reverse routing (FIX 4.4 Volume 2): a reply to a message sent on behalf of a third party is
// delivered to it, and vice versa.
constexpr std::pair<int, int> kReverseRoute[] = {
    {tag::kOnBehalfOfCompId, tag::kDeliverToCompId},
    {tag::kOnBehalfOfSubId, tag::kDeliverToSubId},
    {tag::kOnBehalfOfLocationId, tag::kDeliverToLocationId},
    {tag::kDeliverToCompId, tag::kOnBehalfOfCompId},
    {tag::kDeliverToSubId, tag::kOnBehalfOfSubId},
    {tag::kDeliverToLocationId, tag::kOnBehalfOfLocationId},
};

}  // namespace

std::string_view SessionStatusName(SessionStatus s) {
  switch (s) {
    case SessionStatus::kDisconnected:
      return "disconnected";
    case SessionStatus::kAwaitingLogon:
      return "awaiting logon";
    case SessionStatus::kLogonSent:
      return "logon sent";
    case SessionStatus::kActive:
      return "active";
    case SessionStatus::kLogoutSent:
      return "logout sent";
  }
  return "?";
}

std::string_view SessionEventName(SessionEvent e) {
  switch (e) {
    case SessionEvent::kConnected:
      return "connected";
    case SessionEvent::kLogonSent:
      return "logon sent";
    case SessionEvent::kLoggedOn:
      return "logged on";
    case SessionEvent::kLogoutSent:
      return "logout sent";
    case SessionEvent::kLoggedOut:
      return "logged out";
    case SessionEvent::kDisconnected:
      return "disconnected";
    case SessionEvent::kGarbageSkipped:
      return "garbage skipped";
    case SessionEvent::kGarbledMessage:
      return "garbled message";
    case SessionEvent::kRejectSent:
      return "reject sent";
    case SessionEvent::kBusinessRejectSent:
      return "business reject sent";
    case SessionEvent::kResendRequested:
      return "resend requested";
    case SessionEvent::kGapFilled:
      return "gap filled";
    case SessionEvent::kResendServed:
      return "resend served";
    case SessionEvent::kSequenceReset:
      return "sequence reset";
    case SessionEvent::kMessageIgnored:
      return "message ignored";
    case SessionEvent::kTestRequestSent:
      return "test request sent";
    case SessionEvent::kError:
      return "error";
  }
  return "?";
}

Session::Session(SessionConfig config, SessionHost& host, MessageStore& store)
    : config_(std::move(config)),
      host_(host),
      store_(store),
      dict_(config_.dictionary != nullptr ? config_.dictionary : &BuiltinFix44Dictionary()),
      target_comp_id_(config_.target_comp_id),
      heartbeat_s_(config_.heartbeat_interval_s) {
  TD_CHECK_MSG(!config_.sender_comp_id.empty(), "SessionConfig.sender_comp_id is empty");
  TD_CHECK_MSG(config_.role == Role::kAcceptor || !config_.target_comp_id.empty(),
               "an initiator needs SessionConfig.target_comp_id");
  TD_CHECK(config_.heartbeat_interval_s >= 0);
}

// ---------------------------------------------------------------- transport inputs

void Session::OnConnected(Timestamp now) {
  if (status_ != SessionStatus::kDisconnected) OnDisconnected(now, "reconnected");
  in_buf_.clear();
  stream_offset_ = 0;
  queue_.clear();
  resend_begin_ = resend_end_ = 0;
  test_requests_outstanding_ = 0;
  last_sent_ = last_received_ = now;
  logon_deadline_ = now + config_.logon_timeout;
  logout_deadline_ = Timestamp::Max();
  heartbeat_s_ = config_.heartbeat_interval_s;
  Event(SessionEvent::kConnected, {});
  if (config_.role == Role::kInitiator) {
    status_ = SessionStatus::kLogonSent;
    sent_reset_ = config_.reset_on_logon;
    if (sent_reset_) ResetSequences(now, "ResetOnLogon");
    SendLogon(now, sent_reset_);
    if (status_ == SessionStatus::kLogonSent) Event(SessionEvent::kLogonSent, {});
  } else {
    status_ = SessionStatus::kAwaitingLogon;
    target_comp_id_ = config_.target_comp_id;
  }
}

void Session::OnBytes(Timestamp now, std::string_view bytes) {
  if (status_ == SessionStatus::kDisconnected || bytes.empty()) return;
  if (in_buf_.empty()) {
    // Fast path: frame straight from the caller's bytes; keep only an incomplete tail.
    std::string_view view = bytes;
    ProcessBuffer(now, &view);
    if (status_ != SessionStatus::kDisconnected) in_buf_.assign(view);
  } else {
    in_buf_.append(bytes);
    std::string_view view = in_buf_;
    ProcessBuffer(now, &view);
    in_buf_.erase(0, in_buf_.size() - view.size());
  }
  if (status_ == SessionStatus::kDisconnected) {
    in_buf_.clear();
  } else if (in_buf_.size() > config_.max_input_buffer_bytes) {
    Terminate("input buffer exceeds " + Num(static_cast<int64_t>(config_.max_input_buffer_bytes)) +
              " bytes without a complete message");
  }
}

void Session::ProcessBuffer(Timestamp now, std::string_view* buf) {
  while (status_ != SessionStatus::kDisconnected) {
    const Frame f = FindFrame(*buf);
    if (f.kind == FrameKind::kNeedMore) break;
    if (f.kind == FrameKind::kGarbage) {
      Event(SessionEvent::kGarbageSkipped,
            "stream offset " + Num(static_cast<int64_t>(stream_offset_)) + ": skipped " +
                Num(static_cast<int64_t>(f.size)) + " bytes: " + std::string(f.problem));
    } else {
      HandleFrame(now, buf->substr(0, f.size));
    }
    stream_offset_ += f.size;
    buf->remove_prefix(f.size);
  }
}

void Session::HandleFrame(Timestamp now, std::string_view frame) {
  host_.OnMessageReceived(frame);
  const Status s = msg_.Parse(frame);
  if (!s.ok()) {
    // FIX 4.4 Volume 2: a garbled message is ignored; MsgSeqNum is not incremented.
    const std::string text = "garbled message at stream offset " +
                             Num(static_cast<int64_t>(stream_offset_)) + " ignored: " + s.message();
    Event(SessionEvent::kGarbledMessage, text);
    if (status_ == SessionStatus::kAwaitingLogon || status_ == SessionStatus::kLogonSent) {
      Terminate("garbled message before Logon: " + s.message());
    }
    return;
  }
  Dispatch(now, msg_, /*queued=*/false);
}

void Session::OnDisconnected(Timestamp now, std::string_view reason) {
  (void)now;
  if (status_ == SessionStatus::kDisconnected) return;
  const bool was_logged_on =
      status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent;
  status_ = SessionStatus::kDisconnected;
  logon_deadline_ = logout_deadline_ = Timestamp::Max();
  queue_.clear();
  resend_begin_ = resend_end_ = 0;
  Event(SessionEvent::kDisconnected, reason);
  if (was_logged_on) host_.OnLogout(reason);
}

void Session::Terminate(std::string_view reason) {
  if (status_ == SessionStatus::kDisconnected) return;
  const bool was_logged_on =
      status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent;
  status_ = SessionStatus::kDisconnected;
  logon_deadline_ = logout_deadline_ = Timestamp::Max();
  queue_.clear();
  resend_begin_ = resend_end_ = 0;
  Event(SessionEvent::kDisconnected, reason);
  host_.Disconnect(reason);
  if (was_logged_on) host_.OnLogout(reason);
}

// ---------------------------------------------------------------- dispatch

void Session::Dispatch(Timestamp now, const Message& msg, bool queued) {
  const std::string_view type = msg.msg_type();
  const bool before_logon =
      status_ == SessionStatus::kAwaitingLogon || status_ == SessionStatus::kLogonSent;
  if (before_logon && type != msg_type::kLogon) {
    Terminate("first message is not a Logon (MsgType " + std::string(type) + ")");
    return;
  }
  if (msg.begin_string() != config_.begin_string) {
    if (before_logon) {
      Terminate("Logon with BeginString " + std::string(msg.begin_string()) + ", expected " +
                config_.begin_string);
      return;
    }
    if (type == msg_type::kLogout) {
      OnLogoutMessage(now, msg);
      return;
    }
    const int64_t seq = msg.seq_num();
    SendLogout(now, "Incorrect BeginString");
    if (seq == next_target_seq()) IncrTargetSeq();
    return;
  }
  if (const std::optional<Rejection> r = Validate(*dict_, msg)) {
    if (before_logon || type == msg_type::kLogon) {
      Terminate("invalid Logon: " + std::string(SessionRejectReasonText(r->reason)) + " (tag " +
                Num(r->ref_tag) + ")");
      return;
    }
    SendReject(now, msg, r->reason, r->ref_tag, r->has_ref_tag);
  } else if (type.size() == 1 && IsAdminMsgType(type)) {
    switch (type[0]) {
      case 'A':
        OnLogonMessage(now, msg);
        break;
      case '0':
        OnHeartbeat(now, msg);
        break;
      case '1':
        OnTestRequest(now, msg);
        break;
      case '2':
        OnResendRequest(now, msg);
        break;
      case '3':
        OnRejectMessage(now, msg);
        break;
      case '4':
        OnSequenceReset(now, msg);
        break;
      case '5':
        OnLogoutMessage(now, msg);
        break;
      default:
        break;
    }
  } else {
    OnApplication(now, msg);
  }
  if (!queued) ProcessQueue(now);
}

void Session::ProcessQueue(Timestamp now) {
  while (status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent) {
    auto it = queue_.begin();
    if (it == queue_.end()) break;
    const int64_t expected = next_target_seq();
    if (it->first < expected) {
      queue_.erase(it);
      continue;
    }
    if (it->first > expected) break;
    const std::string bytes = std::move(it->second);
    queue_.erase(it);
    if (!queued_msg_.Parse(bytes).ok()) continue;  // it parsed when queued
    const std::string_view type = queued_msg_.msg_type();
    if (type == msg_type::kLogon || type == msg_type::kResendRequest) {
      IncrTargetSeq();  // already acted upon when it arrived
      continue;
    }
    Dispatch(now, queued_msg_, /*queued=*/true);
  }
  if (resend_begin_ != 0 && next_target_seq() > resend_end_) {
    Event(SessionEvent::kGapFilled,
          "messages " + Num(resend_begin_) + ".." + Num(resend_end_) + " received");
    resend_begin_ = resend_end_ = 0;
  }
}

// ---------------------------------------------------------------- checks

bool Session::IsGoodTime(Timestamp now, const Message& msg) const {
  const Result<Timestamp> t = ParseUtcTimestamp(msg.Get(tag::kSendingTime));
  if (!t.ok()) return false;
  const Duration skew = now > *t ? now - *t : *t - now;
  return skew <= config_.max_sending_time_skew;
}

bool Session::Verify(Timestamp now, const Message& msg, bool check_too_high, bool check_too_low) {
  const bool logged_on = status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent;
  if (!IsGoodTime(now, msg)) {
    if (!logged_on) {
      Terminate("Logon SendingTime " + std::string(msg.Get(tag::kSendingTime)) +
                " is more than the allowed skew away from now");
      return false;
    }
    SendReject(now, msg, SessionRejectReason::kSendingTimeAccuracyProblem, 0, false);
    SendLogout(now, {});
    return false;
  }
  if (msg.Get(tag::kSenderCompId) != target_comp_id_ ||
      msg.Get(tag::kTargetCompId) != config_.sender_comp_id) {
    if (!logged_on) {
      Terminate("Logon CompIDs do not match the session");
      return false;
    }
    SendReject(now, msg, SessionRejectReason::kCompIdProblem, 0, false);
    SendLogout(now, {});
    return false;
  }
  const int64_t seq = msg.seq_num();
  const int64_t expected = next_target_seq();
  if (check_too_high && seq > expected) {
    TargetTooHigh(now, msg);
    return false;
  }
  if (check_too_low && seq < expected) {
    TargetTooLow(now, msg);
    return false;
  }
  last_received_ = now;
  test_requests_outstanding_ = 0;
  return true;
}

void Session::TargetTooHigh(Timestamp now, const Message& msg) {
  const int64_t seq = msg.seq_num();
  const int64_t expected = next_target_seq();
  if (queue_.size() >= config_.max_queued_messages) {
    SendLogout(now, "too many messages queued while waiting for a resend");
    Terminate("more than " + Num(static_cast<int64_t>(config_.max_queued_messages)) +
              " messages queued behind a sequence gap");
    return;
  }
  queue_[seq].assign(msg.raw());
  if (resend_begin_ != 0 && seq >= resend_begin_ && !ResendOverdue(now)) {
    return;  // already asked for this gap
  }
  RequestResend(now, "MsgSeqNum too high, expecting " + Num(expected) + " but received " +
                         Num(seq));
}

bool Session::ResendOverdue(Timestamp now) const {
  return resend_begin_ != 0 && config_.resend_request_timeout.ns > 0 &&
         now - resend_requested_at_ >= config_.resend_request_timeout;
}

void Session::RequestResend(Timestamp now, std::string why) {
  const int64_t expected = next_target_seq();
  const int64_t highest = queue_.empty() ? expected : queue_.rbegin()->first - 1;
  resend_begin_ = expected;
  resend_end_ = std::max(expected, highest);
  resend_requested_at_ = now;
  SendResendRequest(now, expected, 0);
  Event(SessionEvent::kResendRequested, why + "; requested " + Num(expected) + "..");
}

void Session::TargetTooLow(Timestamp now, const Message& msg) {
  const int64_t seq = msg.seq_num();
  const bool logged_on = status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent;
  // Before logon (a too-low Logon or Logon reply) there is no duplicate to ignore: refuse the
  // Logon and disconnect, PossDup or not.
  if (!logged_on || !msg.GetFlag(tag::kPossDupFlag)) {
    const std::string text =
        "MsgSeqNum too low, expecting " + Num(next_target_seq()) + " but received " + Num(seq);
    SendLogout(now, text);
    Terminate(text);
    return;
  }
  // PossDup: a duplicate of something already received, unless its OrigSendingTime is wrong.
  if (msg.msg_type() != msg_type::kSequenceReset) {
    if (!msg.Has(tag::kOrigSendingTime)) {
      SendReject(now, msg, SessionRejectReason::kRequiredTagMissing, tag::kOrigSendingTime, true);
      return;
    }
    const Result<Timestamp> orig = ParseUtcTimestamp(msg.Get(tag::kOrigSendingTime));
    const Result<Timestamp> sent = ParseUtcTimestamp(msg.Get(tag::kSendingTime));
    if (orig.ok() && sent.ok() && *orig > *sent) {
      SendReject(now, msg, SessionRejectReason::kSendingTimeAccuracyProblem, 0, false);
      SendLogout(now, {});
      return;
    }
  }
  Event(SessionEvent::kMessageIgnored, "duplicate MsgSeqNum " + Num(seq) + " (PossDupFlag=Y)");
}

// ---------------------------------------------------------------- session messages

void Session::OnLogonMessage(Timestamp now, const Message& msg) {
  const bool reset_flag = msg.GetFlag(tag::kResetSeqNumFlag);
  if (status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent) {
    if (!reset_flag) {
      const std::string text = "Logon received while already logged on";
      SendLogout(now, text);
      Terminate(text);
      return;
    }
    // The counterparty resets both sequences in session (FIX 4.4 Volume 2, ResetSeqNumFlag).
    ResetSequences(now, "Logon with ResetSeqNumFlag=Y");
    if (!Verify(now, msg, false, true)) return;
    if (config_.role == Role::kAcceptor) {
      const Result<int64_t> hb = msg.GetInt(tag::kHeartBtInt);
      if (hb.ok()) heartbeat_s_ = static_cast<int>(*hb);
      SendLogon(now, true);
    }
    IncrTargetSeq();
    return;
  }

  if (config_.role == Role::kAcceptor) {
    const std::string_view sender = msg.Get(tag::kSenderCompId);
    bool allowed = msg.Get(tag::kTargetCompId) == config_.sender_comp_id;
    if (allowed && !config_.allowed_target_comp_ids.empty()) {
      allowed = false;
      for (const std::string& a : config_.allowed_target_comp_ids) allowed |= (a == sender);
    }
    if (allowed && !config_.target_comp_id.empty()) allowed = sender == config_.target_comp_id;
    if (!allowed) {
      Terminate("Logon from SenderCompID '" + std::string(sender) + "' to TargetCompID '" +
                std::string(msg.Get(tag::kTargetCompId)) + "' matches no configured session");
      return;
    }
    target_comp_id_.assign(sender);
    const Status auth = host_.AuthorizeLogon(msg);
    if (!auth.ok()) {
      Terminate("Logon refused: " + auth.message());
      return;
    }
    if (reset_flag || config_.reset_on_logon) {
      ResetSequences(now, reset_flag ? "Logon with ResetSeqNumFlag=Y" : "ResetOnLogon");
    }
    if (!Verify(now, msg, false, true)) return;
    const Result<int64_t> hb = msg.GetInt(tag::kHeartBtInt);
    if (!hb.ok() || *hb > 3600) {
      Terminate("Logon HeartBtInt '" + std::string(msg.Get(tag::kHeartBtInt)) +
                "' is not a number of seconds in 0..3600");
      return;
    }
    heartbeat_s_ = static_cast<int>(*hb);
    status_ = SessionStatus::kActive;  // before sending: Send() of the reply must be allowed
    SendLogon(now, reset_flag);
  } else {
    if (!Verify(now, msg, false, true)) return;
    status_ = SessionStatus::kActive;
  }
  if (status_ != SessionStatus::kActive) return;  // the store failed while replying
  logon_deadline_ = Timestamp::Max();
  sent_reset_ = false;
  Event(SessionEvent::kLoggedOn, "HeartBtInt " + Num(heartbeat_s_) + " s");
  const int64_t seq = msg.seq_num();
  if (seq > next_target_seq() && !reset_flag) {
    TargetTooHigh(now, msg);  // the Logon is queued and counted when the gap is filled
  } else {
    IncrTargetSeq();
  }
  if (status_ == SessionStatus::kActive) host_.OnLogon();
}

void Session::OnHeartbeat(Timestamp now, const Message& msg) {
  if (Verify(now, msg, true, true)) IncrTargetSeq();
}

void Session::OnTestRequest(Timestamp now, const Message& msg) {
  if (!Verify(now, msg, true, true)) return;
  SendHeartbeat(now, msg.Get(tag::kTestReqId));
  IncrTargetSeq();
}

void Session::OnRejectMessage(Timestamp now, const Message& msg) {
  if (Verify(now, msg, false, true)) IncrTargetSeq();
}

void Session::OnSequenceReset(Timestamp now, const Message& msg) {
  const bool gap_fill = msg.GetFlag(tag::kGapFillFlag);
  // Reset mode ignores MsgSeqNum (FIX 4.4 Volume 2, "Sequence Reset"); gap fill does not.
  if (!Verify(now, msg, gap_fill, gap_fill)) return;
  const Result<int64_t> new_seq = msg.GetInt(tag::kNewSeqNo);
  if (!new_seq.ok()) return;  // the validator requires NewSeqNo and checks its format
  const int64_t expected = next_target_seq();
  if (*new_seq > expected) {
    Event(SessionEvent::kSequenceReset, std::string(gap_fill ? "gap fill" : "reset") + " from " +
                                            Num(expected) + " to " + Num(*new_seq));
    SetTargetSeq(*new_seq);
  } else if (*new_seq < expected) {
    SendReject(now, msg, SessionRejectReason::kValueIsIncorrect, 0, false);
  }
}

void Session::OnLogoutMessage(Timestamp now, const Message& msg) {
  if (!Verify(now, msg, false, false)) return;
  const bool we_asked = status_ == SessionStatus::kLogoutSent;
  if (!we_asked) SendLogout(now, {});
  if (msg.seq_num() == next_target_seq()) IncrTargetSeq();
  const std::string text(msg.Get(tag::kText));
  Event(SessionEvent::kLoggedOut,
        we_asked ? "logout confirmed" : "counterparty logged out: " + text);
  Terminate(we_asked ? "logout complete" : "logout requested by counterparty");
}

void Session::OnResendRequest(Timestamp now, const Message& msg) {
  // Answered whatever its MsgSeqNum (QuickFIX does the same): the counterparty is waiting.
  if (!Verify(now, msg, false, false)) return;
  const Result<int64_t> begin_r = msg.GetInt(tag::kBeginSeqNo);
  const Result<int64_t> end_r = msg.GetInt(tag::kEndSeqNo);
  if (!begin_r.ok() || !end_r.ok()) return;  // validated already
  const int64_t last_sent = next_sender_seq() - 1;
  const int64_t begin = std::max<int64_t>(1, *begin_r);
  const int64_t end = (*end_r == 0 || *end_r > last_sent) ? last_sent : *end_r;
  const int64_t request_seq = msg.seq_num();
  Event(SessionEvent::kResendServed, "ResendRequest " + Num(*begin_r) + ".." + Num(*end_r) +
                                         ": resending " + Num(begin) + ".." + Num(end));
  if (begin <= end) {
    int64_t gap_begin = 0;
    int64_t next = begin;
    const Status s = store_.ForEachSent(begin, end, [&](int64_t seq, std::string_view bytes) {
      if (status_ == SessionStatus::kDisconnected) return;
      if (gap_begin == 0 && seq > next) gap_begin = next;  // not in the store: gap-fill it
      next = seq + 1;
      if (!stored_msg_.Parse(bytes).ok() || IsAdminMsgType(stored_msg_.msg_type())) {
        if (gap_begin == 0) gap_begin = seq;
        return;
      }
      if (gap_begin != 0) {
        SendGapFill(now, gap_begin, seq);
        gap_begin = 0;
      }
      Resend(now, seq, bytes);
    });
    if (!s.ok()) {
      Event(SessionEvent::kError, "message store: " + s.message());
      Terminate("message store failed while resending: " + s.message());
      return;
    }
    if (gap_begin == 0 && next <= end) gap_begin = next;
    if (gap_begin != 0) SendGapFill(now, gap_begin, end + 1);
  }
  if (request_seq == next_target_seq()) IncrTargetSeq();
}

// ---------------------------------------------------------------- sending

HeaderFill Session::MakeHeader(int64_t seq, Timestamp now) const {
  HeaderFill h;
  h.begin_string = config_.begin_string;
  h.sender_comp_id = config_.sender_comp_id;
  h.target_comp_id = target_comp_id_;
  h.msg_seq_num = seq;
  h.sending_time = now;
  return h;
}

bool Session::SendAdminOrApp(Timestamp now, const OutMessage& msg) {
  const int64_t seq = next_sender_seq();
  const std::string_view bytes = writer_.Write(msg, MakeHeader(seq, now));
  const Status s = store_.SaveSent(seq, bytes);  // persist before send (Volume 2, recovery)
  if (!s.ok()) {
    Event(SessionEvent::kError, "message store: " + s.message());
    Terminate("message store failed: " + s.message());
    return false;
  }
  last_sent_ = now;
  host_.SendBytes(bytes);
  return true;
}

Status Session::StoreForResend(Timestamp now, const OutMessage& msg) {
  const int64_t seq = next_sender_seq();
  const Status s = store_.SaveSent(seq, writer_.Write(msg, MakeHeader(seq, now)));
  if (!s.ok()) Event(SessionEvent::kError, "message store: " + s.message());
  return s;
}

void Session::Resend(Timestamp now, int64_t seq, std::string_view stored) {
  if (!stored_msg_.Parse(stored).ok()) return;
  resend_.Reset(stored_msg_.msg_type());
  const size_t n = stored_msg_.size();
  for (size_t i = 3; i + 1 < n; ++i) {
    const Field& f = stored_msg_.field(i);
    if (dict_->IsHeaderField(f.tag)) {
      if (!OutMessage::IsWriterOwnedHeaderTag(f.tag)) resend_.SetHeader(f.tag, f.value);
    } else {
      resend_.Add(f.tag, f.value);
    }
  }
  HeaderFill hdr = MakeHeader(seq, now);
  hdr.poss_dup = true;
  hdr.orig_sending_time = stored_msg_.Get(tag::kSendingTime);
  const std::string_view bytes = writer_.Write(resend_, hdr);
  last_sent_ = now;
  host_.SendBytes(bytes);
}

void Session::SendGapFill(Timestamp now, int64_t seq, int64_t new_seq) {
  admin_.Reset(msg_type::kSequenceReset);
  admin_.Add(tag::kNewSeqNo, new_seq).AddFlag(tag::kGapFillFlag, true);
  char orig[kUtcTimestampMillisLen];
  FormatUtcTimestampMillis(now, orig);
  HeaderFill hdr = MakeHeader(seq, now);
  hdr.poss_dup = true;
  hdr.orig_sending_time = std::string_view(orig, sizeof orig);
  const std::string_view bytes = writer_.Write(admin_, hdr);
  last_sent_ = now;
  host_.SendBytes(bytes);
}

void Session::SendLogon(Timestamp now, bool reset_flag) {
  admin_.Reset(msg_type::kLogon);
  admin_.Add(tag::kEncryptMethod, 0).Add(tag::kHeartBtInt, heartbeat_s_);
  if (reset_flag) admin_.AddFlag(tag::kResetSeqNumFlag, true);
  SendAdminOrApp(now, admin_);
}

void Session::SendHeartbeat(Timestamp now, std::string_view test_req_id) {
  admin_.Reset(msg_type::kHeartbeat);
  if (!test_req_id.empty()) admin_.Add(tag::kTestReqId, test_req_id);
  SendAdminOrApp(now, admin_);
}

void Session::SendTestRequest(Timestamp now) {
  admin_.Reset(msg_type::kTestRequest);
  admin_.Add(tag::kTestReqId, config_.test_request_id);
  if (SendAdminOrApp(now, admin_)) {
    ++test_requests_outstanding_;
    Event(SessionEvent::kTestRequestSent,
          "no message received for " + Num((now - last_received_).ns / 1'000'000) + " ms");
  }
}

void Session::SendResendRequest(Timestamp now, int64_t begin, int64_t end) {
  admin_.Reset(msg_type::kResendRequest);
  admin_.Add(tag::kBeginSeqNo, begin).Add(tag::kEndSeqNo, end);
  SendAdminOrApp(now, admin_);
}

void Session::SendLogout(Timestamp now, std::string_view text) {
  admin_.Reset(msg_type::kLogout);
  if (!text.empty()) admin_.Add(tag::kText, text);
  if (!SendAdminOrApp(now, admin_)) return;
  // Only a logged-on session waits for the Logout reply; before logon a Logout refuses the
  // Logon and the caller disconnects (it must not look logged on: OnLogout, app messages).
  if (status_ == SessionStatus::kActive || status_ == SessionStatus::kLogoutSent) {
    status_ = SessionStatus::kLogoutSent;
    logout_deadline_ = now + config_.logout_timeout;
  }
  Event(SessionEvent::kLogoutSent, text);
}

void Session::SendReject(Timestamp now, const Message& ref, SessionRejectReason reason, int ref_tag,
                         bool has_ref_tag) {
  admin_.Reset(msg_type::kReject);
  for (const auto& [from, to] : kReverseRoute) {
    const std::string_view v = ref.Get(from);
    if (!v.empty()) admin_.SetHeader(to, v);
  }
  const std::string_view ref_seq = ref.Get(tag::kMsgSeqNum);
  const std::string_view ref_type = ref.msg_type();
  if (!ref_seq.empty()) admin_.Add(tag::kRefSeqNum, ref_seq);
  admin_.Add(tag::kText, SessionRejectReasonText(reason));
  if (has_ref_tag) admin_.Add(tag::kRefTagId, ref_tag);
  if (!ref_type.empty()) admin_.Add(tag::kRefMsgType, ref_type);
  admin_.Add(tag::kSessionRejectReason, static_cast<int>(reason));
  // A rejected message still counts as received (Volume 2), except Logon and SequenceReset.
  if (ref_type != msg_type::kLogon && ref_type != msg_type::kSequenceReset &&
      ref.seq_num() == next_target_seq() && ref.seq_num() != 0) {
    IncrTargetSeq();
  }
  if (SendAdminOrApp(now, admin_)) {
    Event(SessionEvent::kRejectSent,
          "message " + std::string(ref_seq) + " (" + std::string(ref_type) +
              ") rejected: " + std::string(SessionRejectReasonText(reason)) +
              (has_ref_tag ? ", tag " + Num(ref_tag) : std::string()));
  }
}

Status Session::Send(Timestamp now, const OutMessage& msg) {
  if (status_ != SessionStatus::kActive && config_.store_while_disconnected &&
      !target_comp_id_.empty() && !IsAdminMsgType(msg.msg_type())) {
    return StoreForResend(now, msg);
  }
  if (status_ != SessionStatus::kActive) {
    return FailedPrecondition("FIX session " + config_.sender_comp_id + "->" + target_comp_id_ +
                              " is " + std::string(SessionStatusName(status_)) + ", not logged on");
  }
  if (IsAdminMsgType(msg.msg_type())) {
    return InvalidArgument("MsgType " + std::string(msg.msg_type()) +
                           " is a session message; the session sends those itself");
  }
  if (!SendAdminOrApp(now, msg)) return IoError("message store failed; session disconnected");
  return Status::Ok();
}

Status Session::SendBusinessReject(Timestamp now, const Message& ref, BusinessRejectReason reason,
                                   std::string_view text, int ref_tag) {
  if (status_ != SessionStatus::kActive && status_ != SessionStatus::kLogoutSent) {
    return FailedPrecondition("FIX session is " + std::string(SessionStatusName(status_)));
  }
  OutMessage out(msg_type::kBusinessMessageReject);
  const std::string_view ref_seq = ref.Get(tag::kMsgSeqNum);
  if (!ref_seq.empty()) out.Add(tag::kRefSeqNum, ref_seq);
  out.Add(tag::kText, text.empty() ? BusinessRejectReasonText(reason) : text);
  if (ref_tag != 0) out.Add(tag::kRefTagId, ref_tag);
  out.Add(tag::kRefMsgType, ref.msg_type());
  out.Add(tag::kBusinessRejectReason, static_cast<int>(reason));
  if (!SendAdminOrApp(now, out)) return IoError("message store failed; session disconnected");
  Event(SessionEvent::kBusinessRejectSent,
        "message " + std::string(ref_seq) + " (" + std::string(ref.msg_type()) +
            "): " + std::string(BusinessRejectReasonText(reason)));
  return Status::Ok();
}

void Session::Logout(Timestamp now, std::string_view text) {
  if (status_ == SessionStatus::kActive) {
    SendLogout(now, text);
  } else if (status_ != SessionStatus::kDisconnected && status_ != SessionStatus::kLogoutSent) {
    Terminate("logout before logon completed");
  }
}

// ---------------------------------------------------------------- sequence numbers

void Session::IncrTargetSeq() { SetTargetSeq(next_target_seq() + 1); }

void Session::SetTargetSeq(int64_t seq) {
  const Status s = store_.SetNextTargetSeq(seq);
  if (!s.ok()) {
    Event(SessionEvent::kError, "message store: " + s.message());
    Terminate("message store failed: " + s.message());
  }
}

void Session::ResetSequences(Timestamp now, std::string_view why) {
  (void)now;
  const Status s = store_.Reset();
  queue_.clear();
  resend_begin_ = resend_end_ = 0;
  if (!s.ok()) {
    Event(SessionEvent::kError, "message store reset: " + s.message());
    Terminate("message store failed: " + s.message());
    return;
  }
  Event(SessionEvent::kSequenceReset, std::string(why) + ": both sequence numbers back to 1");
}

// ---------------------------------------------------------------- timers

void Session::OnApplication(Timestamp now, const Message& msg) {
  if (!Verify(now, msg, true, true)) return;
  IncrTargetSeq();
  if (status_ == SessionStatus::kDisconnected) return;
  host_.OnAppMessage(msg);
}

void Session::OnTimer(Timestamp now) {
  switch (status_) {
    case SessionStatus::kDisconnected:
      return;
    case SessionStatus::kAwaitingLogon:
    case SessionStatus::kLogonSent:
      if (now >= logon_deadline_) Terminate("no Logon within the logon timeout");
      return;
    case SessionStatus::kLogoutSent:
      if (now >= logout_deadline_) Terminate("no Logout reply within the logout timeout");
      return;
    case SessionStatus::kActive:
      break;
  }
  if (ResendOverdue(now)) {
    RequestResend(now, "gap " + Num(resend_begin_) + ".." + Num(resend_end_) +
                           " still open after the resend request timeout");
  }
  if (heartbeat_s_ <= 0) return;
  const int64_t hb_ns = Duration::Seconds(heartbeat_s_).ns;
  const int64_t since_received = (now - last_received_).ns;
  // Volume 2: a TestRequest after HeartBtInt + 20 % of silence, a disconnect when it stays
  // unanswered (2.4 x HeartBtInt, QuickFIX's threshold).
  if (since_received >= hb_ns * 24 / 10) {
    Terminate("no message received for " + Num(since_received / 1'000'000) + " ms (HeartBtInt " +
              Num(heartbeat_s_) + " s)");
    return;
  }
  if (since_received >= hb_ns * 12 * (test_requests_outstanding_ + 1) / 10) {
    SendTestRequest(now);
    return;
  }
  if ((now - last_sent_).ns >= hb_ns && test_requests_outstanding_ == 0) SendHeartbeat(now, {});
}

Timestamp Session::NextTimerDeadline() const {
  switch (status_) {
    case SessionStatus::kDisconnected:
      return Timestamp::Max();
    case SessionStatus::kAwaitingLogon:
    case SessionStatus::kLogonSent:
      return logon_deadline_;
    case SessionStatus::kLogoutSent:
      return logout_deadline_;
    case SessionStatus::kActive:
      break;
  }
  Timestamp t = Timestamp::Max();
  if (resend_begin_ != 0 && config_.resend_request_timeout.ns > 0) {
    t = resend_requested_at_ + config_.resend_request_timeout;
  }
  if (heartbeat_s_ <= 0) return t;
  const int64_t hb_ns = Duration::Seconds(heartbeat_s_).ns;
  t = std::min(t, last_received_ + Duration{hb_ns * 24 / 10});
  t = std::min(t, last_received_ + Duration{hb_ns * 12 * (test_requests_outstanding_ + 1) / 10});
  if (test_requests_outstanding_ == 0) t = std::min(t, last_sent_ + Duration{hb_ns});
  return t;
}

}  // namespace td::fix
