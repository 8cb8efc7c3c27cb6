package dynatrace

import (
	"strings"
	"time"
)

// schedule is a maintenance window's schedule (settings schema
// builtin:alerting.maintenance-window): once, or daily, weekly or monthly within a range of
// dates, each in its time zone.
type schedule struct {
	ScheduleType   string `json:"scheduleType"` // ONCE, DAILY, WEEKLY, MONTHLY
	OnceRecurrence *struct {
		StartTime string `json:"startTime"` // local date-time, e.g. 2026-03-01T22:00:00
		EndTime   string `json:"endTime"`
		TimeZone  string `json:"timeZone"`
	} `json:"onceRecurrence"`
	DailyRecurrence  *recurrence `json:"dailyRecurrence"`
	WeeklyRecurrence *struct {
		DayOfWeek string `json:"dayOfWeek"` // MONDAY ... SUNDAY
		recurrence
	} `json:"weeklyRecurrence"`
	MonthlyRecurrence *struct {
		DayOfMonth int `json:"dayOfMonth"`
		recurrence
	} `json:"monthlyRecurrence"`
}

// recurrence is when a recurring window opens each time and the dates it recurs between.
type recurrence struct {
	TimeWindow struct {
		StartTime string `json:"startTime"` // local time of day, HH:MM:SS
		EndTime   string `json:"endTime"`
		TimeZone  string `json:"timeZone"`
	} `json:"timeWindow"`
	RecurrenceRange struct {
		ScopeStartDate string `json:"scopeStartDate"` // YYYY-MM-DD
		ScopeEndDate   string `json:"scopeEndDate"`
	} `json:"recurrenceRange"`
}

// next is the schedule's earliest occurrence that has not ended by now and begins by ahead.
func (sc schedule) next(now, ahead time.Time) (start, end time.Time, ok bool) {
	switch strings.ToUpper(sc.ScheduleType) {
	case "ONCE":
		o := sc.OnceRecurrence
		if o == nil {
			return
		}
		loc := location(o.TimeZone)
		start, err1 := time.ParseInLocation("2006-01-02T15:04:05", o.StartTime, loc)
		end, err2 := time.ParseInLocation("2006-01-02T15:04:05", o.EndTime, loc)
		if err1 != nil || err2 != nil || !end.After(now) || start.After(ahead) {
			return time.Time{}, time.Time{}, false
		}
		return start.UTC(), end.UTC(), true
	case "DAILY":
		if r := sc.DailyRecurrence; r != nil {
			return r.next(now, ahead, func(time.Time) bool { return true })
		}
	case "WEEKLY":
		if r := sc.WeeklyRecurrence; r != nil {
			return r.next(now, ahead, func(d time.Time) bool { return strings.EqualFold(d.Weekday().String(), r.DayOfWeek) })
		}
	case "MONTHLY":
		if r := sc.MonthlyRecurrence; r != nil {
			return r.next(now, ahead, func(d time.Time) bool { return d.Day() == r.DayOfMonth })
		}
	}
	return time.Time{}, time.Time{}, false
}

// next walks the days from the one before now to the one after ahead (in the window's zone)
// and returns the first occurrence on a day that counts, within the recurrence range, that
// has not ended by now and begins by ahead. A window that ends at or before it starts on the
// clock runs past midnight.
func (r recurrence) next(now, ahead time.Time, counts func(time.Time) bool) (start, end time.Time, ok bool) {
	loc := location(r.TimeWindow.TimeZone)
	from, err1 := time.Parse("15:04:05", r.TimeWindow.StartTime)
	to, err2 := time.Parse("15:04:05", r.TimeWindow.EndTime)
	if err1 != nil || err2 != nil {
		return
	}
	first, _ := time.ParseInLocation(time.DateOnly, r.RecurrenceRange.ScopeStartDate, loc)
	last, errLast := time.ParseInLocation(time.DateOnly, r.RecurrenceRange.ScopeEndDate, loc)
	n := now.In(loc)
	for d := time.Date(n.Year(), n.Month(), n.Day()-1, 0, 0, 0, 0, loc); !d.After(ahead.In(loc).AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		if d.Before(first) || errLast == nil && d.After(last) || !counts(d) {
			continue
		}
		s := time.Date(d.Year(), d.Month(), d.Day(), from.Hour(), from.Minute(), from.Second(), 0, loc)
		e := time.Date(d.Year(), d.Month(), d.Day(), to.Hour(), to.Minute(), to.Second(), 0, loc)
		if !e.After(s) {
			e = e.AddDate(0, 0, 1)
		}
		if e.After(now) && !s.After(ahead) {
			return s.UTC(), e.UTC(), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// location loads a time zone by name; an unknown one is UTC.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}
