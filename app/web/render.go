package web

import (
	"embed"
	"fmt"
	"html/template"
	"math"
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

// CSRF returns the request's CSRF token for a fragment rendered without the layout (an htmx
// response); Render adds it to pages.
func CSRF(c *fiber.Ctx) any { return c.Locals(localCSRF) }

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// funcs are the template helpers; now is the clock for countdowns.
func funcs(now func() time.Time) template.FuncMap {
	return template.FuncMap{
		// score formats a score the Indonesian way: rounded to two decimals half away from zero
		// (num.ID2), decimal comma.
		"score": num.ID2,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			t = t.In(wib)
			return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
		},
		// daysLeft is the whole days until t (negative when past).
		"daysLeft": func(t time.Time) int {
			return int(math.Floor(t.Sub(now()).Hours() / 24))
		},
		"past": func(t time.Time) bool { return now().After(t) },
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
		// num prints an entered number as written, with a decimal comma: 3,6.
		"num": func(x *float64) string {
			if x == nil {
				return ""
			}
			return num.ID(*x)
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			t = t.In(wib)
			return fmt.Sprintf("%d %s %d %02d.%02d", t.Day(), monthsID[t.Month()-1], t.Year(), t.Hour(), t.Minute())
		},
	}
}

// wib is Western Indonesia Time, the zone of most kabupaten; dates are shown in it.
var wib = time.FixedZone("WIB", 7*3600)
