#include "fix/utc_time.h"

#include <string>

#include "core/calendar.h"

namespace td::fix {
namespace {

constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s) {  // REQUIRES: AllDigits(s), s.size() <= 9
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

void Put(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Checks "YYYYMMDD"; returns an empty string when valid, else what is wrong.
std::string_view DateProblem(std::string_view s, int64_t* y, int* m, int* d) {
  if (s.size() != 8 || !AllDigits(s)) return "date is not YYYYMMDD";
  *y = Num(s.substr(0, 4));
  *m = Num(s.substr(4, 2));
  *d = Num(s.substr(6, 2));
  if (*m < 1 || *m > 12) return "month out of range";
  if (*d < 1 || *d > DaysInMonth(*y, *m)) return "day out of range";
  return {};
}

// Checks "HH:MM:SS[.f{3,6,9}]"; returns an empty string when valid.
std::string_view TimeProblem(std::string_view s, int64_t* ns_of_day) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return "time is not HH:MM:SS";
  const std::string_view hh = s.substr(0, 2), mm = s.substr(3, 2), ss = s.substr(6, 2);
  if (!AllDigits(hh) || !AllDigits(mm) || !AllDigits(ss)) return "time is not HH:MM:SS";
  const int h = Num(hh), mi = Num(mm), se = Num(ss);
  if (h > 23 || mi > 59 || se > 60) return "time of day out of range";  // 60: leap second
  int64_t frac_ns = 0;
  if (s.size() > 8) {
    if (s[8] != '.') return "time has trailing characters";
    const std::string_view f = s.substr(9);
    if ((f.size() != 3 && f.size() != 6 && f.size() != 9) || !AllDigits(f)) {
      return "fraction of second must have 3, 6 or 9 digits";
    }
    frac_ns = Num(f);
    for (size_t i = f.size(); i < 9; ++i) frac_ns *= 10;
  }
  *ns_of_day = (static_cast<int64_t>(h) * 3600 + mi * 60 + se) * kNanosPerSecond + frac_ns;
  return {};
}

}  // namespace

namespace {
void FormatPrefix(Timestamp t, char* out, int64_t* ns_of_day) {
  int64_t days = t.ns / kNanosPerDay;
  int64_t rem = t.ns % kNanosPerDay;
  if (rem < 0) rem += kNanosPerDay, --days;
  const CivilDate c = CivilFromDays(days);
  const int64_t y = c.year;
  const int m = c.month, d = c.day;
  TD_CHECK_MSG(y >= 0 && y <= 9999, "UTCTimestamp year out of range 0000..9999");
  const int64_t secs = rem / kNanosPerSecond;
  Put(out, static_cast<int>(y), 4);
  Put(out + 4, m, 2);
  Put(out + 6, d, 2);
  out[8] = '-';
  Put(out + 9, static_cast<int>(secs / 3600), 2);
  out[11] = ':';
  Put(out + 12, static_cast<int>(secs / 60 % 60), 2);
  out[14] = ':';
  Put(out + 15, static_cast<int>(secs % 60), 2);
  *ns_of_day = rem;
}
}  // namespace

void FormatUtcTimestampSeconds(Timestamp t, char* out) {
  int64_t rem;
  FormatPrefix(t, out, &rem);
}

void FormatUtcTimestampMillis(Timestamp t, char* out) {
  int64_t rem;
  FormatPrefix(t, out, &rem);
  out[17] = '.';
  Put(out + 18, static_cast<int>(rem % kNanosPerSecond / 1'000'000), 3);
}

Result<Timestamp> ParseUtcTimestamp(std::string_view text) {
  if (text.size() < 17 || text[8] != '-') {
    return InvalidArgument("UTCTimestamp '" + std::string(text) +
                           "' is not YYYYMMDD-HH:MM:SS[.sss]");
  }
  int64_t y;
  int m, d;
  int64_t ns_of_day = 0;
  std::string_view problem = DateProblem(text.substr(0, 8), &y, &m, &d);
  if (problem.empty()) problem = TimeProblem(text.substr(9), &ns_of_day);
  if (!problem.empty()) {
    return InvalidArgument("UTCTimestamp '" + std::string(text) + "': " + std::string(problem));
  }
  return Timestamp{DaysFromCivil(y, m, d) * kNanosPerDay + ns_of_day};
}

bool IsUtcTimestamp(std::string_view text) {
  if (text.size() < 17 || text[8] != '-') return false;
  int64_t y, ns;
  int m, d;
  return DateProblem(text.substr(0, 8), &y, &m, &d).empty() &&
         TimeProblem(text.substr(9), &ns).empty();
}

bool IsUtcTimeOnly(std::string_view text) {
  int64_t ns;
  return TimeProblem(text, &ns).empty();
}

bool IsUtcDate(std::string_view text) {
  int64_t y;
  int m, d;
  return DateProblem(text, &y, &m, &d).empty();
}

bool IsMonthYear(std::string_view text) {
  if (text.size() < 6 || !AllDigits(text.substr(0, 6))) return false;
  const int m = Num(text.substr(4, 2));
  if (m < 1 || m > 12) return false;
  if (text.size() == 6) return true;
  if (text.size() == 8 && AllDigits(text.substr(6))) {
    const int d = Num(text.substr(6, 2));
    return d >= 1 && d <= 31;
  }
  return text.size() == 8 && text[6] == 'w' && text[7] >= '1' && text[7] <= '5';
}

}  // namespace td::fix
