package web

import (
	"bytes"
	"embed"
	"fmt"
	"hash/crc32"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/num"
)

//go:embed views
var viewsFS embed.FS

// Render renders a page inside the main layout, adding what every page needs: the user,
// the CSRF token, the page title and the current path (for the navigation).
func Render(c *fiber.Ctx, name, title string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	data["Judul"] = title
	data["User"] = CurrentUser(c)
	data["CSRF"] = c.Locals(localCSRF)
	data["Path"] = c.Path()
	return c.Render(name, data, "layouts/main")
}

// RenderBody renders a page's content without the layout, for a cache shared by every user:
// data must hold nothing of one user or session (the layout adds the user's name and the CSRF
// token of the logout forms). RenderPage puts the result into the layout.
func RenderBody(c *fiber.Ctx, name string, data fiber.Map) (template.HTML, error) {
	var buf bytes.Buffer
	if err := c.App().Config().Views.Render(&buf, name, data); err != nil {
		return "", fmt.Errorf("rendering %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- html/template's own output
}

// RenderPage serves a body rendered by RenderBody inside the main layout, with what the layout
// needs of this request (the user, the CSRF token, the path) and data (flags such as Charts).
func RenderPage(c *fiber.Ctx, title string, body template.HTML, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	data["Body"] = body
	return Render(c, "prerendered", title, data)
}

// Revalidated makes a GET route's response cacheable by the browser only with revalidation:
// `Cache-Control: private, no-cache` (the page is the user's own; ask before reuse) and a weak
// ETag of the body, so a page that has not changed since the browser's copy answers 304
// without a body. Put it before the route's handler. It does what Fiber's etag middleware
// does, with CRC-32C (hardware-accelerated) in place of that middleware's software CRC, which
// took a fifth of the CPU of a dashboard view served from memory.
func Revalidated() fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		if err := c.Next(); err != nil {
			return err
		}
		body := c.Response().Body()
		if c.Response().StatusCode() != fiber.StatusOK || len(body) == 0 {
			return nil
		}
		tag := fmt.Sprintf(`W/"%d-%08x"`, len(body), crc32.Checksum(body, castagnoli))
		c.Set(fiber.HeaderETag, tag)
		if etagMatches(c.Get(fiber.HeaderIfNoneMatch), tag) {
			c.Context().ResetBody()
			return c.SendStatus(fiber.StatusNotModified)
		}
		return nil
	}
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// etagMatches is If-None-Match's weak comparison: any listed tag (or *) equals tag, W/ aside.
func etagMatches(header, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// CSRF returns the request's CSRF token for a fragment rendered without the layout (an htmx
// response); Render adds it to pages.
func CSRF(c *fiber.Ctx) any { return c.Locals(localCSRF) }

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// civil is a date without a zone (period.Day).
type civil interface {
	Civil() (int, time.Month, int)
}

// deadline is a whole-day deadline (period.Due): it knows when it has passed.
type deadline interface {
	Passed(now time.Time) bool
	DaysLeft(now time.Time) int
}

// inZone converts a time.Time (or *time.Time) to the kabupaten's zone; ok is false for a zero
// or nil time.
func inZone(v any, zone func() *time.Location) (time.Time, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return t, false
		}
		t = *x
	default:
		return t, false
	}
	if t.IsZero() {
		return t, false
	}
	return t.In(zone()), true
}

// funcs are the template helpers; now is the clock for countdowns and zone gives the
// kabupaten's time zone, asked at each use (an admin may change it while the app runs).
func funcs(now func() time.Time, zone func() *time.Location) template.FuncMap {
	return template.FuncMap{
		// score formats a score the Indonesian way: rounded to two decimals half away from zero
		// (num.ID2), decimal comma.
		"score": num.ID2,
		// date shows a time (in the kabupaten's zone) or a period.Day as "31 Oktober 2026".
		"date": func(v any) string {
			if d, ok := v.(civil); ok {
				if y, m, day := d.Civil(); y != 0 {
					return fmt.Sprintf("%d %s %d", day, monthsID[m-1], y)
				}
				return "—"
			}
			t, ok := inZone(v, zone)
			if !ok {
				return "—"
			}
			return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
		},
		// daysLeft is the whole days until a time, or the calendar days until a deadline's
		// day (0 on the day itself), negative when past.
		"daysLeft": func(v any) int {
			switch x := v.(type) {
			case deadline:
				return x.DaysLeft(now())
			case time.Time:
				return int(math.Floor(x.Sub(now()).Hours() / 24))
			}
			return 0
		},
		// notOpen reports whether a deadline's period has not opened yet.
		"notOpen": func(v any) bool {
			x, ok := v.(interface{ NotOpen(time.Time) bool })
			return ok && x.NotOpen(now())
		},
		// past reports whether a time, or a whole-day deadline, has passed.
		"past": func(v any) bool {
			switch x := v.(type) {
			case deadline:
				return x.Passed(now())
			case time.Time:
				return now().After(x)
			}
			return false
		},
		"pct": func(n, total int) int {
			if total == 0 {
				return 0
			}
			return n * 100 / total
		},
		// signed formats a difference with its sign: +1,25 or −3,50 (0,00 without a sign).
		"signed": func(x float64) string {
			s := num.ID2(math.Abs(x))
			switch c := num.CentsOf(x); {
			case c > 0:
				return "+" + s
			case c < 0:
				return "−" + s
			}
			return s
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		// dict passes several values to a sub-template: dict "R" .Row "P" $.Page.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// dec prints a number as written, with a decimal comma: 3,6.
		"dec": num.ID,
		// count prints a whole count with a dot between thousands: 2.500.
		"count": func(n int) string { return num.Count(int64(n)) },
		// num prints an entered number as written, with a decimal comma: 3,6.
		"num": func(x *float64) string {
			if x == nil {
				return ""
			}
			return num.ID(*x)
		},
		// datetime shows a time in the kabupaten's zone: "23 November 2026 10.00 WITA".
		"datetime": func(v any) string {
			t, ok := inZone(v, zone)
			if !ok {
				return "—"
			}
			return fmt.Sprintf("%d %s %d %02d.%02d %s", t.Day(), monthsID[t.Month()-1], t.Year(), t.Hour(), t.Minute(), t.Location())
		},
	}
}

// wib is Western Indonesia Time: the zone when the server is given none.
var wib = time.FixedZone("WIB", 7*3600)
