// The QuickFIX session-level acceptance suite (FIX 4.4), run against fix-acceptance-server.
// An independent client: plain blocking POSIX sockets and its own tag=value handling, never the
// fix/ code under test. It implements QuickFIX's definition format (shared data README,
// "quickfix/"): iCONNECT / iDISCONNECT, I<msg> with <TIME>/<TIME±n> and computed BodyLength and
// CheckSum, E<msg> compared field by field (patterns from fields.fmt), eDISCONNECT within 10 s,
// and the multi-connection prefixes "I1," / "e2,DISCONNECT". One test per .def file and per
// dictionary: the built-in FIX 4.4 table, and QuickFIX's FIX44.xml loaded at runtime (the two
// definitions that only wait on heartbeat timers run once, with the built-in dictionary).
//
// The suite and FIX44.xml are QuickFIX's (QuickFIX Software License 1.0: "This product includes
// software developed by quickfixengine.org (http://www.quickfixengine.org/)"). They are read
// from the shared data folder at run time and never copied into the project.
// gcc 12 with -fsanitize and -O3 reports a false "maybe-uninitialized" inside
// libstdc++'s <regex>; the warning is off for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const fs::path kSuiteDir = fs::path(TD_SHARED_DATA_DIR) / "quickfix" / "fix44";
const fs::path kFieldsFmt = fs::path(TD_SHARED_DATA_DIR) / "quickfix" / "fields.fmt";
const fs::path kXmlDictionary = fs::path(TD_SHARED_DATA_DIR) / "quickfix" / "FIX44.xml";
const char* const kServerBinary = TD_BINARY_DIR "/sim-exchange/server/fix-acceptance-server";
constexpr int kExpectTimeoutMs = 20'000;      // the longest wait in the suite is ~7.2 s
constexpr int kDisconnectTimeoutMs = 10'000;  // the suite's "within ten seconds"
constexpr char kSoh = '\x01';

// Definitions whose only subject is heartbeat timing: run once (built-in dictionary).
bool IsTimerOnly(const std::string& stem) {
  return stem == "4a_NoDataSentDuringHeartBtInt" || stem == "6_SendTestRequest";
}

std::string Printable(std::string s) {
  for (char& c : s) {
    if (c == kSoh) c = '|';
  }
  return s;
}

// ---------------------------------------------------------------- the definition language

std::string UtcText(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H:%M:%S", &tm);
  return buf;
}

// <TIME>, <TIME+n>, <TIME-n> -> the current UTC time (shifted by n seconds).
std::string Timify(std::string m) {
  static const std::regex kTime(R"(<TIME([+-]\d+)?>)");
  const auto now = std::chrono::system_clock::now();
  std::string out;
  std::sregex_iterator it(m.begin(), m.end(), kTime), end;
  size_t last = 0;
  for (; it != end; ++it) {
    out.append(m, last, static_cast<size_t>(it->position()) - last);
    const long shift = (*it)[1].matched ? std::stol((*it)[1].str()) : 0;
    out += UtcText(now + std::chrono::seconds(shift));
    last = static_cast<size_t>(it->position() + it->length());
  }
  out.append(m, last, std::string::npos);
  return out;
}

// QuickFIX's fixify: BodyLength and CheckSum are inserted unless the line already has them.
// Reproduced exactly, including its quirk: when the line carries its own CheckSum but no
// BodyLength, the computed length leaves out the SOH before "10=".
std::string Fixify(std::string m) {
  const bool has_length = m.find(std::string(1, kSoh) + "9=") != std::string::npos;
  if (m.rfind("8=", 0) != 0) return m;
  const size_t head_end = m.find(kSoh);
  if (head_end == std::string::npos) return m;
  const std::string head = m.substr(0, head_end + 1);
  std::string body = m.substr(head_end + 1);
  std::string checksum;
  const size_t cs = body.find(std::string(1, kSoh) + "10=");
  if (cs != std::string::npos && !body.empty() && body.back() == kSoh) {
    checksum = body.substr(cs);
    body.erase(cs);
  }
  std::string length;
  if (!has_length) length = "9=" + std::to_string(body.size()) + kSoh;
  if (checksum.empty()) {
    unsigned sum = 0;
    for (unsigned char c : head + length + body) sum += c;
    char buf[16];
    std::snprintf(buf, sizeof buf, "10=%03u", sum % 256);
    checksum = std::string(buf) + kSoh;
  }
  return head + length + body + checksum;
}

struct Comparator {
  std::map<int, std::regex> patterns;

  static Comparator Load() {
    Comparator c;
    std::ifstream in(kFieldsFmt);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      c.patterns.emplace(std::stoi(line.substr(0, eq)), std::regex(line.substr(eq + 1)));
    }
    return c;
  }

  static std::vector<std::string> Split(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t e = s.find(kSoh, pos);
      if (e == std::string::npos) e = s.size();
      out.push_back(s.substr(pos, e - pos));
      pos = e + 1;
    }
    while (!out.empty() && out.back().empty()) out.pop_back();  // like Ruby's split
    return out;
  }

  // Empty when equal, else why not.
  std::string Compare(const std::string& expected, const std::string& got) const {
    const auto e = Split(expected), g = Split(got);
    if (e.size() != g.size()) {
      return "number of fields differs: expected " + std::to_string(e.size()) + ", received " +
             std::to_string(g.size());
    }
    for (size_t i = 0; i < e.size(); ++i) {
      const size_t ee = e[i].find('='), ge = g[i].find('=');
      const std::string etag = e[i].substr(0, ee), gtag = g[i].substr(0, ge);
      const std::string eval = ee == std::string::npos ? "" : e[i].substr(ee + 1);
      const std::string gval = ge == std::string::npos ? "" : g[i].substr(ge + 1);
      if (etag != gtag)
        return "field " + std::to_string(i + 1) + ": expected tag " + etag + " but found tag " +
               gtag;
      auto p = patterns.find(std::atoi(etag.c_str()));
      if (p == patterns.end()) {
        if (eval != gval)
          return "value of field " + etag + " should be (" + eval + ") but was (" + gval + ")";
      } else if (!std::regex_search(gval, p->second)) {
        return "field " + etag + " value (" + gval + ") does not match its pattern";
      }
    }
    return {};
  }
};

// ---------------------------------------------------------------- processes and sockets

class Server {
 public:
  ~Server() { Stop(); }

  // Starts the binary and reads "listening on HOST:PORT"; false with *error on failure.
  bool Start(bool xml_dictionary, std::string* error) {
    char log_template[] = "/tmp/fix-acceptance-server-XXXXXX";
    const int log_fd = mkstemp(log_template);
    if (log_fd < 0) return *error = "mkstemp failed", false;
    log_path_ = log_template;
    int out[2];
    if (pipe(out) != 0) return *error = "pipe failed", false;
    std::vector<std::string> args = {kServerBinary, "--port", "0", "--verbose"};
    if (xml_dictionary) args.insert(args.end(), {"--dictionary", kXmlDictionary.string()});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const int rc = posix_spawn(&pid_, kServerBinary, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(log_fd);
    if (rc != 0) {
      close(out[0]);
      pid_ = -1;
      return *error = std::string("cannot start ") + kServerBinary + ": " + std::strerror(rc),
             false;
    }
    std::string line;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    const size_t colon = line.rfind(':');
    if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
      return *error = "server did not print its port; stdout: '" + line + "'\n" + LogTail(), false;
    }
    port_ = std::atoi(line.c_str() + colon + 1);
    return true;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (!log_path_.empty()) {
      unlink(log_path_.c_str());
      log_path_.clear();
    }
  }

  std::string LogTail(size_t max_lines = 40) const {
    std::ifstream in(log_path_);
    std::vector<std::string> lines;
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
    std::string out = "--- server log (last lines) ---\n";
    for (size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size();
         ++i) {
      out += lines[i] + "\n";
    }
    return out;
  }

  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

class Connection {
 public:
  ~Connection() { Close(); }

  bool Open(int port, std::string* error) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      return *error = std::string("connect: ") + std::strerror(errno), false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(const std::string& bytes, std::string* error) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n < 0) return *error = std::string("send: ") + std::strerror(errno), false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // One message, read as QuickFIX's FixParser does: up to "<SOH>9=", the length, that many
  // bytes, then the CheckSum field.
  bool ReadMessage(std::string* msg, std::string* error) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(kExpectTimeoutMs);
    size_t p;
    while ((p = buf_.find(std::string(1, kSoh) + "9=")) == std::string::npos) {
      if (!Fill(deadline, error)) return false;
    }
    size_t len_end;
    while ((len_end = buf_.find(kSoh, p + 3)) == std::string::npos) {
      if (!Fill(deadline, error)) return false;
    }
    const std::string len_text = buf_.substr(p + 3, len_end - p - 3);
    if (len_text.empty() || len_text.find_first_not_of("0123456789") != std::string::npos) {
      return *error = "BodyLength '" + len_text + "' is not a number", false;
    }
    const size_t body_end = len_end + 1 + std::stoul(len_text);
    while (buf_.size() < body_end) {
      if (!Fill(deadline, error)) return false;
    }
    size_t end;
    while ((end = buf_.find(kSoh, body_end)) == std::string::npos) {
      if (!Fill(deadline, error)) return false;
    }
    *msg = buf_.substr(0, end + 1);
    buf_.erase(0, end + 1);
    return true;
  }

  // True when the peer closes within the timeout without sending anything more.
  bool WaitDisconnect(std::string* error) {
    if (!buf_.empty())
      return *error = "expected disconnection, got data: " + Printable(buf_), false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, kDisconnectTimeoutMs) <= 0) {
      return *error = "connection still open after ten seconds", false;
    }
    char c[4096];
    const ssize_t n = recv(fd_, c, sizeof c, 0);
    if (n > 0) {
      return *error = "expected disconnection, got data: " +
                      Printable(std::string(c, static_cast<size_t>(n))),
             false;
    }
    return true;  // EOF or reset
  }

 private:
  bool Fill(Clock::time_point deadline, std::string* error) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return *error = "no complete message within " + std::to_string(kExpectTimeoutMs) +
                      " ms (buffered: '" + Printable(buf_) + "')",
             false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return Fill(deadline, error);
    char c[4096];
    const ssize_t n = recv(fd_, c, sizeof c, 0);
    if (n <= 0) {
      return *error =
                 "disconnected while a message was expected (buffered: '" + Printable(buf_) + "')",
             false;
    }
    buf_.append(c, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

// ---------------------------------------------------------------- the runner

struct Definition {
  std::string file;
  bool xml_dictionary = false;
};

// How ctest and gtest show a case: the definition file and the dictionary.
void PrintTo(const Definition& d, std::ostream* os) {
  *os << fs::path(d.file).filename().string() << (d.xml_dictionary ? " (FIX44.xml)" : " (built-in)");
}

std::vector<Definition> Definitions() {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(kSuiteDir, ec)) {
    for (const auto& e : fs::directory_iterator(kSuiteDir)) {
      if (e.path().extension() == ".def") files.push_back(e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Definition> out;
  for (const std::string& f : files) out.push_back({f, false});
  for (const std::string& f : files) {
    if (!IsTimerOnly(fs::path(f).stem().string())) out.push_back({f, true});
  }
  if (out.empty()) out.push_back({"", false});  // a placeholder that skips
  return out;
}

std::string ParamName(const testing::TestParamInfo<Definition>& info) {
  if (info.param.file.empty()) return "SuiteAbsent";
  std::string name = (info.param.xml_dictionary ? "Fix44Xml_" : "Builtin_") +
                     fs::path(info.param.file).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class QuickFixAcceptance : public testing::TestWithParam<Definition> {};

TEST_P(QuickFixAcceptance, Definition) {
  const Definition& def = GetParam();
  if (def.file.empty()) {
    GTEST_SKIP() << "QuickFIX acceptance suite not found at " << kSuiteDir
                 << " (the shared data folder is absent; see ../shared/data/README.md)";
  }
  const Comparator comparator = Comparator::Load();
  ASSERT_FALSE(comparator.patterns.empty()) << "cannot read " << kFieldsFmt;
  std::ifstream in(kSuiteDir / def.file, std::ios::binary);
  ASSERT_TRUE(in) << "cannot open " << def.file;

  Server server;
  std::string error;
  ASSERT_TRUE(server.Start(def.xml_dictionary, &error)) << error;
  std::map<int, std::unique_ptr<Connection>> conns;

  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const char action = line[0];
    int cid = 1;
    std::string body = line.substr(1);
    if (line.size() > 2 && std::isdigit(static_cast<unsigned char>(line[1])) && line[2] == ',') {
      cid = line[1] - '0';
      body = line.substr(3);
    }
    const std::string where = def.file + ":" + std::to_string(line_no) + ": " + Printable(line);
    auto fail = [&](const std::string& why) {
      ADD_FAILURE() << where << "\n  " << why << "\n" << server.LogTail();
    };
    if (action == 'i' && body == "CONNECT") {
      auto c = std::make_unique<Connection>();
      if (!c->Open(server.port(), &error)) return fail(error);
      conns[cid] = std::move(c);
    } else if (action == 'i' && body == "DISCONNECT") {
      conns.erase(cid);
    } else if (action == 'e' && body == "CONNECT") {
      // The client side of a connect is synchronous; nothing to wait for.
    } else if (action == 'e' && body == "DISCONNECT") {
      if (!conns.count(cid)) return fail("no connection " + std::to_string(cid));
      if (!conns[cid]->WaitDisconnect(&error)) return fail(error);
      conns.erase(cid);
    } else if (action == 'I') {
      if (!conns.count(cid)) return fail("sending on a connection that is not open");
      if (!conns[cid]->Send(Fixify(Timify(body)), &error)) return fail(error);
    } else if (action == 'E') {
      if (!conns.count(cid)) return fail("expecting on a connection that is not open");
      const std::string expected = Fixify(Timify(body));
      std::string got;
      if (!conns[cid]->ReadMessage(&got, &error)) {
        return fail(error + "\n  expected: " + Printable(expected));
      }
      const std::string why = comparator.Compare(expected, got);
      if (!why.empty()) {
        return fail(why + "\n  expected: " + Printable(expected) +
                    "\n  received: " + Printable(got));
      }
    } else {
      return fail("unknown action");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(QuickFix44, QuickFixAcceptance, testing::ValuesIn(Definitions()),
                         ParamName);

}  // namespace
