# The on-disk encoding of Tapedeck's journal records: one struct per kind of core/event.h,
# gathered in Record's union, and the journal header. The plain C++ structs of core/event.h are
# the in-memory form; schema/codec.cc converts between the two, explicitly, field by field.
#
# Evolution rules (docs/schema-evolution.md, after https://capnproto.org/language.html):
#   - never renumber, retype or remove a field, union member or enumerant; deprecate by
#     renaming to `obsoleteX`;
#   - add fields only with the next ordinal of their struct; append union members and
#     enumerants only at the end;
#   - Record's union members stay in the order of td::Payload (core/event.h), and each member's
#     name is the camelCase of its kind name (PayloadKindName): tests/schema/codec_test.cc
#     checks both.
#
# Units, everywhere:
#   - timestamps (`...Ts`, `created`, `scheduled`, `fireAt`): Int64 nanoseconds since the
#     Unix epoch (UTC), or of the simulation's virtual clock, which uses the same unit;
#   - durations (`retryAfterNs`): Int64 nanoseconds;
#   - prices (`price`, `stopPrice`, `avgPrice`, `tickSize`): Int64 raw td::Price, units of
#     1e-9 of the quote currency;
#   - money (`fee`): Int64 raw td::Money, units of 1e-9 of the currency ("nanos");
#   - quantities (`qty`, `...Qty`): Int64 raw td::Qty, units of 10^-qtyDecimals of the
#     instrument (InstrumentDef.qtyDecimals);
#   - ids: 0 means "none".
#
# Enums: every enum's ordinals equal the numeric values of the C++ enum of the same name, so
# the codec converts by value after a range check (static_asserts in codec.cc pin each one).
# The C++ enums that start at 1 get an `unset @0` enumerant here, which no writer produces and
# every reader rejects as corruption.

@0xace4c5e4192c3d59;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("td::schema::wire");

# ------------------------------------------------------------------- shared enums (core/ids.h)

enum Side {
  none @0;
  buy @1;
  sell @2;
}

enum AssetClass {
  unknown @0;
  equity @1;
  crypto @2;
  future @3;
  option @4;
  fx @5;
}

# ------------------------------------------------------------------- instruments and header

struct InstrumentDef {
  id @0 :UInt32;            # InstrumentId: index into the header's instrument table, from 1
  symbol @1 :Text;
  venue @2 :Text;
  assetClass @3 :AssetClass;
  currency @4 :Text;        # quote currency, e.g. "USD"
  tickSize @5 :Int64;       # minimum price increment, 1e-9 price units
  qtyDecimals @6 :Int32;    # the Qty scale of this instrument: 10^-qtyDecimals; 0..18
  lotSize @7 :Int64;        # quantity increment, raw Qty
  minQty @8 :Int64;         # raw Qty
}

# The first thing in every segment file: what produced the journal and how to replay it.
struct JournalHeader {
  formatVersion @0 :UInt32;  # version of the journal's file framing (docs/journal-format.md)
  schemaId @1 :UInt64;       # the file id of this schema (0xace4c5e4192c3d59)
  engineName @2 :Text;
  engineBuildId @3 :Text;
  configText @4 :Text;       # the scenario/engine configuration, verbatim (TOML)
  seed @5 :UInt64;
  created @6 :Int64;         # when recording started, ns (session time)
  sessionKind @7 :Text;      # "live", "paper", "simulate", "import", "bench"
  instruments @8 :List(InstrumentDef);
}

# ------------------------------------------------------------------- market data
# Every market-data kind carries exchangeTs (the venue's timestamp) and receiveTs (the local
# receive time), both in ns.

enum L3Action {
  unset @0;
  add @1;
  modify @2;         # size (and possibly price) changed; priority per venue rules
  cancel @3;         # partial cancel: qty is the quantity removed
  delete @4;         # full cancel
  execute @5;        # execution of a visible resting order
  executeHidden @6;  # execution against hidden liquidity (orderId may be 0)
  cross @7;          # auction cross
}

struct L3Order {
  instrument @0 :UInt32;
  action @1 :L3Action;
  side @2 :Side;           # for executions: side of the resting order
  orderId @3 :UInt64;      # the venue's (or the historical feed's) order id
  price @4 :Int64;         # 1e-9 price units
  qty @5 :Int64;           # raw Qty
  exchangeTs @6 :Int64;    # ns
  receiveTs @7 :Int64;     # ns
}

enum TradingState {
  unset @0;
  halted @1;
  quoting @2;
  trading @3;
  closed @4;
}

struct TradingStatus {
  instrument @0 :UInt32;
  state @1 :TradingState;
  exchangeTs @2 :Int64;    # ns
  receiveTs @3 :Int64;     # ns
}

struct PriceLevel {
  price @0 :Int64;         # 1e-9 price units
  qty @1 :Int64;           # raw Qty
}

# One price level changed; qty 0 removes it.
struct L2Update {
  instrument @0 :UInt32;
  side @1 :Side;
  price @2 :Int64;         # 1e-9 price units
  qty @3 :Int64;           # raw Qty; 0 removes the level
  updateId @4 :UInt64;     # venue sequence (Binance `u`), 0 when none
  exchangeTs @5 :Int64;    # ns
  receiveTs @6 :Int64;     # ns
}

struct L2Snapshot {
  instrument @0 :UInt32;
  updateId @1 :UInt64;
  bids @2 :List(PriceLevel);  # best first
  asks @3 :List(PriceLevel);  # best first
  exchangeTs @4 :Int64;    # ns
  receiveTs @5 :Int64;     # ns
}

struct L1Quote {
  instrument @0 :UInt32;
  bidPrice @1 :Int64;      # 1e-9 price units
  bidQty @2 :Int64;        # raw Qty
  askPrice @3 :Int64;      # 1e-9 price units
  askQty @4 :Int64;        # raw Qty
  updateId @5 :UInt64;
  exchangeTs @6 :Int64;    # ns
  receiveTs @7 :Int64;     # ns
}

struct Trade {
  instrument @0 :UInt32;
  price @1 :Int64;         # 1e-9 price units
  qty @2 :Int64;           # raw Qty
  aggressor @3 :Side;
  tradeId @4 :UInt64;
  exchangeTs @5 :Int64;    # ns
  receiveTs @6 :Int64;     # ns
}

# ------------------------------------------------------------------- engine inputs from the venue

enum OrdStatus {  # FIX 4.4 OrdStatus (39)
  unset @0;
  pendingNew @1;
  new @2;
  partiallyFilled @3;
  filled @4;
  pendingCancel @5;
  pendingReplace @6;
  canceled @7;
  replaced @8;
  rejected @9;
  expired @10;
  unknown @11;
}

enum RejectReason {  # FIX 4.4 OrdRejReason (103) and CxlRejReason (102)
  none @0;
  unknownSymbol @1;
  exchangeClosed @2;
  orderExceedsLimit @3;
  tooLateToCancel @4;
  unknownOrder @5;
  duplicateOrder @6;
  invalidPrice @7;
  invalidQty @8;
  priceBand @9;
  postOnlyWouldCross @10;
  selfTrade @11;
  riskLimit @12;
  rateLimited @13;
  other @14;
}

enum Liquidity {
  none @0;
  maker @1;
  taker @2;
}

struct OrderAck {
  clOrdId @0 :UInt64;
  venueOrderId @1 :UInt64;
  instrument @2 :UInt32;
}

struct OrderReject {
  clOrdId @0 :UInt64;
  instrument @1 :UInt32;
  reason @2 :RejectReason;
  text @3 :Text;
}

struct Fill {
  clOrdId @0 :UInt64;
  venueOrderId @1 :UInt64;
  execId @2 :UInt64;
  instrument @3 :UInt32;
  side @4 :Side;
  price @5 :Int64;         # 1e-9 price units
  qty @6 :Int64;           # raw Qty, this fill
  cumQty @7 :Int64;        # raw Qty, filled so far
  leavesQty @8 :Int64;     # raw Qty, still open
  liquidity @9 :Liquidity;
  fee @10 :Int64;          # 1e-9 currency units; positive = paid, negative = rebate
  exchangeTs @11 :Int64;   # ns
}

struct CancelAck {
  clOrdId @0 :UInt64;      # the cancel request's id
  origClOrdId @1 :UInt64;  # the order canceled
  canceledQty @2 :Int64;   # raw Qty
}

enum CancelRejectOf {  # FIX CxlRejResponseTo (434)
  unset @0;
  cancel @1;
  replace @2;
}

struct CancelReject {
  clOrdId @0 :UInt64;
  origClOrdId @1 :UInt64;
  responseTo @2 :CancelRejectOf;
  reason @3 :RejectReason;
  text @4 :Text;
}

struct ReplaceAck {
  clOrdId @0 :UInt64;
  origClOrdId @1 :UInt64;
  venueOrderId @2 :UInt64;
  price @3 :Int64;         # 1e-9 price units
  qty @4 :Int64;           # raw Qty
  leavesQty @5 :Int64;     # raw Qty
}

struct OrderExpired {
  clOrdId @0 :UInt64;
  expiredQty @1 :Int64;    # raw Qty
}

# A reply to a status request, or one order of a mass-status reply (massStatusId != 0).
struct OrderStatusReport {
  clOrdId @0 :UInt64;
  venueOrderId @1 :UInt64;
  instrument @2 :UInt32;
  side @3 :Side;
  status @4 :OrdStatus;
  price @5 :Int64;         # 1e-9 price units
  orderQty @6 :Int64;      # raw Qty
  cumQty @7 :Int64;        # raw Qty
  leavesQty @8 :Int64;     # raw Qty
  avgPrice @9 :Int64;      # 1e-9 price units
  massStatusId @10 :UInt64;
  lastReport @11 :Bool;    # the last of a mass-status reply
}

enum OrderAction {
  unset @0;
  new @1;
  cancel @2;
  replace @3;
  status @4;
  massCancel @5;
}

struct RateLimitReject {
  clOrdId @0 :UInt64;
  action @1 :OrderAction;
  retryAfterNs @2 :Int64;  # ns
  banned @3 :Bool;         # the venue banned the session after repeated violations
}

enum SessionStateKind {
  unset @0;
  connecting @1;
  connected @2;
  loggedOn @3;
  resendRequested @4;
  loggedOut @5;
  disconnected @6;
}

struct SessionState {
  connection @0 :UInt32;
  state @1 :SessionStateKind;
  text @2 :Text;           # peer address, logout text, disconnect reason
}

# ------------------------------------------------------------------- timers and operator

struct TimerFired {
  timerId @0 :UInt64;
  scheduled @1 :Int64;     # ns: the time the engine asked for
}

enum OperatorCommandKind {
  unset @0;
  killSwitch @1;
  pause @2;
  resume @3;
  setParam @4;
}

struct OperatorCommand {
  kind @0 :OperatorCommandKind;
  key @1 :Text;            # setParam: parameter name
  value @2 :Text;          # setParam: new value, as text
  origin @3 :Text;         # "SIGUSR1", "control socket", "scenario"
}

# ------------------------------------------------------------------- engine outputs

enum OrdType {
  unset @0;
  limit @1;
  market @2;
  stop @3;
  stopLimit @4;
}

enum TimeInForce {
  unset @0;
  day @1;
  gtc @2;
  ioc @3;
  fok @4;
}

struct NewOrder {
  clOrdId @0 :UInt64;
  instrument @1 :UInt32;
  side @2 :Side;
  type @3 :OrdType;
  tif @4 :TimeInForce;
  price @5 :Int64;         # 1e-9 price units
  stopPrice @6 :Int64;     # 1e-9 price units
  qty @7 :Int64;           # raw Qty
  displayQty @8 :Int64;    # raw Qty; iceberg: 0 = fully displayed
  postOnly @9 :Bool;
}

struct CancelOrder {
  clOrdId @0 :UInt64;
  origClOrdId @1 :UInt64;
  instrument @2 :UInt32;
}

struct ReplaceOrder {
  clOrdId @0 :UInt64;
  origClOrdId @1 :UInt64;
  instrument @2 :UInt32;
  price @3 :Int64;         # 1e-9 price units
  qty @4 :Int64;           # raw Qty
}

struct StatusRequest {
  clOrdId @0 :UInt64;      # 0 with massStatusId != 0: all open orders
  massStatusId @1 :UInt64;
}

struct MassCancel {
  requestId @0 :UInt64;
  instrument @1 :UInt32;   # 0 = every instrument
  side @2 :Side;           # none = both sides
}

struct TimerSet {
  timerId @0 :UInt64;
  fireAt @1 :Int64;        # ns
}

struct TimerCancel {
  timerId @0 :UInt64;
}

enum RiskEventKind {
  unset @0;
  breach @1;              # a limit was hit; `action` says what followed
  killSwitchFired @2;
  killSwitchFlat @3;      # every order canceled, every position flat
  killSwitchDeadline @4;  # gave up at the deadline, not flat
  halted @5;
  resumed @6;
}

enum RiskAction {
  none @0;
  reject @1;
  haltNew @2;
  cancelAll @3;
  flatten @4;
}

struct RiskEvent {
  kind @0 :RiskEventKind;
  action @1 :RiskAction;
  rule @2 :Text;           # "max_order_qty", "max_daily_loss", ...
  instrument @3 :UInt32;
  value @4 :Int64;         # observed, in the rule's fixed-point unit
  limit @5 :Int64;         # in the rule's fixed-point unit
  text @6 :Text;
}

struct Annotation {
  text @0 :Text;
}

# ------------------------------------------------------------------- wire and metadata

enum WireDirection {
  unset @0;
  inbound @1;
  outbound @2;
}

struct WireMessage {
  connection @0 :UInt32;
  direction @1 :WireDirection;
  bytes @2 :Data;          # raw, as received or sent (credentials redacted by the recorder)
}

# A digest of the engine's state at this point of the input stream.
struct Checkpoint {
  inputs @0 :UInt64;       # inputs dispatched so far
  outputs @1 :UInt64;      # outputs emitted so far
  digest @2 :UInt64;       # XXH3-64 of the engine's canonical state
}

# Written by the journal writer itself when its queue was full under the drop policy.
struct RecordsDropped {
  count @0 :UInt64;
  firstTs @1 :Int64;       # ns
  lastTs @2 :Int64;        # ns
}

# ------------------------------------------------------------------- the record

struct Record {
  seq @0 :UInt64;          # journal sequence number, from 1, no gaps
  ts @1 :Int64;            # ns: when the recording component handled the record

  # One member per alternative of td::Payload, in its order; append only.
  union {
    l3Order @2 :L3Order;
    tradingStatus @3 :TradingStatus;
    l2Update @4 :L2Update;
    l2Snapshot @5 :L2Snapshot;
    l1Quote @6 :L1Quote;
    trade @7 :Trade;
    orderAck @8 :OrderAck;
    orderReject @9 :OrderReject;
    fill @10 :Fill;
    cancelAck @11 :CancelAck;
    cancelReject @12 :CancelReject;
    replaceAck @13 :ReplaceAck;
    orderExpired @14 :OrderExpired;
    orderStatus @15 :OrderStatusReport;
    rateLimitReject @16 :RateLimitReject;
    sessionState @17 :SessionState;
    timerFired @18 :TimerFired;
    operatorCommand @19 :OperatorCommand;
    newOrder @20 :NewOrder;
    cancelOrder @21 :CancelOrder;
    replaceOrder @22 :ReplaceOrder;
    statusRequest @23 :StatusRequest;
    massCancel @24 :MassCancel;
    timerSet @25 :TimerSet;
    timerCancel @26 :TimerCancel;
    riskEvent @27 :RiskEvent;
    annotation @28 :Annotation;
    wireMessage @29 :WireMessage;
    checkpoint @30 :Checkpoint;
    recordsDropped @31 :RecordsDropped;
  }
}

# The payload of a version-1 journal block (about 64 KiB, at most 16 MiB), and of a market-data
# frame (sim-exchange/server/md_frame.h): one message, this root.
struct RecordBlock {
  records @0 :List(Record);
}

# The payload of a version-2 journal block (docs/journal-format.md): the block's records by
# column. Record i of the block has sequence number first_seq + i (from the block header),
# timestamp ts[i], and kind kinds[i]: the ordinal of its member in Record's union. Its contents
# are the next unread element of that kind's list, so each list holds exactly as many elements
# as `kinds` names its kind. The lists follow Record's union member for member (same names and
# ordinals); a kind appended to Record's union is appended here too, with the same ordinal.
struct RecordColumns {
  ts @0 :List(Int64);      # ns, one per record
  kinds @1 :List(UInt16);  # one per record
  l3Order @2 :List(L3Order);
  tradingStatus @3 :List(TradingStatus);
  l2Update @4 :List(L2Update);
  l2Snapshot @5 :List(L2Snapshot);
  l1Quote @6 :List(L1Quote);
  trade @7 :List(Trade);
  orderAck @8 :List(OrderAck);
  orderReject @9 :List(OrderReject);
  fill @10 :List(Fill);
  cancelAck @11 :List(CancelAck);
  cancelReject @12 :List(CancelReject);
  replaceAck @13 :List(ReplaceAck);
  orderExpired @14 :List(OrderExpired);
  orderStatus @15 :List(OrderStatusReport);
  rateLimitReject @16 :List(RateLimitReject);
  sessionState @17 :List(SessionState);
  timerFired @18 :List(TimerFired);
  operatorCommand @19 :List(OperatorCommand);
  newOrder @20 :List(NewOrder);
  cancelOrder @21 :List(CancelOrder);
  replaceOrder @22 :List(ReplaceOrder);
  statusRequest @23 :List(StatusRequest);
  massCancel @24 :List(MassCancel);
  timerSet @25 :List(TimerSet);
  timerCancel @26 :List(TimerCancel);
  riskEvent @27 :List(RiskEvent);
  annotation @28 :List(Annotation);
  wireMessage @29 :List(WireMessage);
  checkpoint @30 :List(Checkpoint);
  recordsDropped @31 :List(RecordsDropped);
}
