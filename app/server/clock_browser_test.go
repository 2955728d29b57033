package server

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
)

// A server whose clock is far from the browser's still works: nothing absolute computed from
// the server's clock reaches the browser (the session cookie carries Max-Age, the CSRF cookie
// no expiry), and the demo's calendar follows the server's clock. The browser logs in and
// saves an answer with the server 400 days ahead of, and 400 days behind, the real date.
func TestBrowserServerClockFarFromTheBrowsers(t *testing.T) {
	ctx := browser(t)
	for _, shift := range []int{400, -400} {
		t.Run(fmt.Sprintf("%+d hari", shift), func(t *testing.T) {
			serverNow := time.Now().AddDate(0, 0, shift)
			clock := func() time.Time { return serverNow }
			st := NewStores(dbtest.Fresh(t, engine), catalog, clock)
			bg := context.Background()
			if err := st.EnsureIndexes(bg); err != nil {
				t.Fatal(err)
			}
			res, err := demo.Run(bg, catalog, demo.Stores{Units: st.Units, Users: st.Users, Assignments: st.Assignments,
				Periods: st.Periods, Assessments: st.Assessments, Eligibility: st.Eligibility}, demo.Options{Now: serverNow, Password: demoPassword})
			if err != nil {
				t.Fatal(err)
			}
			camat := res.Accounts[3]
			base := serve(t, newServerOn(t, web.Config{Now: clock, SessionTTL: 12 * time.Hour}, st))
			path := fmt.Sprintf("/penilaian/%d/zi-2021/%s", serverNow.In(wibZone).Year(), camat.Unit)
			const code = "P.MP.RF.1.b"
			var cookies []*network.Cookie
			err = chromedp.Run(ctx, network.ClearBrowserCookies(),
				loginActions(base, camat.Username, demoPassword),
				waitVisible(`main .page-head`),
				navigate(base+path),
				waitVisible(ind(code)+` input[name=jawaban]`),
				setValue(ind(code)+` input[name=jawaban]`, "64"),
				click(ind(code)+` .answer-form button[type=submit]`),
				waitVisible(ind(code)+`[data-state="tersimpan"]`),
				chromedp.ActionFunc(func(ctx context.Context) error {
					var err error
					cookies, err = network.GetCookies().Do(ctx)
					return err
				}),
			)
			if err != nil {
				t.Fatal(err)
			}
			// The browser dates the session cookie from its own clock: Max-Age from now.
			found := false
			for _, c := range cookies {
				if c.Name != "raporrb_sesi" {
					continue
				}
				found = true
				want := float64(time.Now().Add(12 * time.Hour).Unix())
				if c.Session || math.Abs(c.Expires-want) > 600 {
					t.Errorf("session cookie expires at %v (session %v), want the browser's now + 12 h (%v)", c.Expires, c.Session, want)
				}
			}
			if !found {
				t.Errorf("no session cookie kept; cookies %v", cookies)
			}
			// The save landed, by the server's clock.
			api := login(t, newServerOn(t, web.Config{Now: clock}, st), camat.Username)
			_, sheet := api.do("GET", "/api/v1/assessments/"+path[len("/penilaian/"):], "")
			var got any
			for _, a := range sheet["answers"].([]any) {
				if m := a.(map[string]any); m["indicator"] == code {
					got = m["self"].(map[string]any)["value"]
				}
			}
			if got != 64.0 {
				t.Errorf("saved value = %v, want 64", got)
			}
		})
	}
}

var wibZone = time.FixedZone("WIB", 7*3600)
