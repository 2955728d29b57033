package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/survey"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
)

// surveyWorld is the demo kabupaten in a database of the test's own, served on a clock the
// test moves (the safeguards judge the time between serving a form and receiving it, and
// between responses).
type surveyWorld struct {
	t   *testing.T
	st  Stores
	srv *web.Server
	res demo.Result

	mu       sync.Mutex
	now      time.Time
	sessions map[string]string // API token → a browser session cookie of the same user
}

func newSurveyWorld(t *testing.T) *surveyWorld { return newSurveyWorldSync(t, 0) }

// newSurveyWorldSync is newSurveyWorld with the survey's sheet sync delayed by delay (0:
// within each submission, as in the other tests).
func newSurveyWorldSync(t *testing.T, delay time.Duration) *surveyWorld {
	t.Helper()
	w := &surveyWorld{t: t, now: demoNow}
	w.st = NewStores(dbtest.Fresh(t, engine), catalog, w.clock)
	w.st.SurveySync = delay
	ctx := context.Background()
	if err := w.st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.res, err = demo.Run(ctx, catalog, demo.Stores{Units: w.st.Units, Users: w.st.Users, Assignments: w.st.Assignments,
		Periods: w.st.Periods, Assessments: w.st.Assessments}, demo.Options{Now: demoNow, Password: demoPassword}); err != nil {
		t.Fatal(err)
	}
	w.srv = newServerOn(t, web.Config{Now: w.clock}, w.st)
	return w
}

func (w *surveyWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *surveyWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func (w *surveyWorld) api(username string) *client { return login(w.t, w.srv, username) }

func (w *surveyWorld) anon() *client { return &client{t: w.t, srv: w.srv} }

// unitWithIKM returns a kecamatan whose 2026 IKM assessment has status st, other than skip.
func (w *surveyWorld) unitWithIKM(st assessment.Status, skip ...string) string {
	w.t.Helper()
	as, err := w.st.Assessments.List(context.Background(), assessment.Filter{Period: 2026, Instrument: "ikm-2017"})
	if err != nil {
		w.t.Fatal(err)
	}
	slices.SortFunc(as, func(a, b assessment.Assessment) int { return strings.Compare(a.Unit, b.Unit) })
	for _, a := range as {
		if a.Status == st && !slices.Contains(skip, a.Unit) {
			return a.Unit
		}
	}
	w.t.Fatalf("no kecamatan with IKM 2026 %s", st)
	return ""
}

// create sets a survey up through the API as c and returns its id and token.
func (w *surveyWorld) create(c *client, kind, unit string, population int) (string, string) {
	w.t.Helper()
	st, body := c.do("POST", "/api/v1/surveys", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":%q,"service":"Administrasi kependudukan","population":%d}`, unit, kind, population))
	if st != 201 {
		w.t.Fatalf("creating the %s survey of %s: %d %v", kind, unit, st, body)
	}
	return body["id"].(string), body["token"].(string)
}

// formToken fetches the public form of token (as a citizen's app would) and returns its ticket.
func (w *surveyWorld) formToken(token string) string {
	w.t.Helper()
	st, body := w.anon().do("GET", "/api/v1/public/surveys/"+token, "")
	if st != 200 {
		w.t.Fatalf("public form %s: %d %v", token, st, body)
	}
	return body["form_token"].(string)
}

// answer sends one questionnaire through the public API: the form is fetched, the clock moves
// by took (the time the respondent takes), then the answers are sent. answers is the JSON of
// the answers object.
func (w *surveyWorld) answer(token, answers string, took time.Duration) (int, map[string]any) {
	w.t.Helper()
	ft := w.formToken(token)
	w.advance(took)
	return w.anon().do("POST", "/api/v1/public/surveys/"+token+"/responses",
		fmt.Sprintf(`{"answers":%s,"respondent":{"umur":34,"jenis_kelamin":"P","pendidikan":"sma","pekerjaan":"wirausaha"},"form_token":%q}`, answers, ft))
}

// results reads GET …/results as c.
func (w *surveyWorld) results(c *client, id string) map[string]any {
	w.t.Helper()
	st, body := c.do("GET", "/api/v1/surveys/"+id+"/results", "")
	if st != 200 {
		w.t.Fatalf("results of %s: %d %v", id, st, body)
	}
	return body
}

// ikmAnswers writes nine answers as the API's answers object ("-" for a blank).
func ikmAnswers(vs ...string) string {
	parts := make([]string, 0, len(vs))
	for i, v := range vs {
		if v == "-" {
			v = "null"
		}
		parts = append(parts, fmt.Sprintf(`"U%d":%s`, i+1, v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// service is a survey service on the world's stores (what the server runs), for tests that
// write many responses without HTTP or bring a survey to its sheet at a chosen moment.
func (w *surveyWorld) service() *survey.Service {
	svc := &assessment.Service{Store: w.st.Assessments, Periods: w.st.Periods, Catalog: catalog,
		Access: assessment.Access{Assignments: w.st.Assignments}, Audit: w.st.Audit, Now: w.clock, Zone: w.st.Units.Zone}
	return w.st.surveyService(svc, catalog, w.srv, w.clock, nil)
}
