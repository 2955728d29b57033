package survey

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/web"
)

// The citizens' form, /survei/{token}: no account, phone first, works without JavaScript.
//   - CSRF without a session: the app's anonymous double submit (the login form's signed
//     nonce, app/web), plus a per-form ticket sealed with the same key that says when the form
//     was served and makes a form sent twice count once.
//   - The kiosk: /survei/{kiosk key} is the same form for a tablet at the counter. After each
//     questionnaire the thank-you page returns to an empty form by itself (a meta refresh, no
//     script), the form never autocompletes, and public/js/survey.js empties a half-filled
//     form left idle. One tablet answers for many people, so nothing blocks by address or
//     device there; the safeguards flag instead (Flags).
//   - Elsewhere, a random id in a cookie of the respondent's browser (raporrb_responden) lets
//     the safeguards notice one phone answering twice within minutes.

// deviceCookie holds the respondent's random browser id.
const deviceCookie = "raporrb_responden"

// deviceTTL is how long a browser keeps its respondent id.
const deviceTTL = 180 * 24 * time.Hour

// kioskRefresh is how long the kiosk's thank-you page stays before the next empty form.
const kioskRefresh = 8

// PublicRoutes registers the public form, its submission and the thank-you page, each with a
// small body limit.
func (h *Handler) PublicRoutes(r web.Router) {
	g := r.Group("/survei").WithBodyLimit(publicBodyLimit)
	g.Get("/:token", account.PublicAccess, h.formPage)
	g.Post("/:token", account.PublicAccess, h.submitPage)
	g.Get("/:token/terima-kasih", account.PublicAccess, h.thanksPage)
}

// formView is what the form template shows.
type formView struct {
	S        *Survey
	Form     *Form
	UnitName string
	Kiosk    bool
	Token    string // the route's token (the public one, or the kiosk key)
	Ticket   string
	Typed    map[string]string
	Error    string
}

// Choices of a question, as the form shows them: value, words, whether chosen.
type FormChoice struct {
	Value   int
	Label   string
	Checked bool
}

// Choices returns question q's answers for the form, with what was typed checked.
func (v formView) Choices(q string) []FormChoice {
	labels := v.Form.AnswerLabels(q)
	out := make([]FormChoice, len(v.Form.Options))
	for i, o := range v.Form.Options {
		out[i] = FormChoice{Value: o.Value, Label: labels[i], Checked: v.Typed[q] != "" && v.Typed[q] == strconv.Itoa(o.Value)}
	}
	return out
}

// Profile lists the profile questions' choices for the form.
func (v formView) Profile() map[string][]Choice {
	return map[string][]Choice{"jk": Genders, "pendidikan": Educations, "pekerjaan": Jobs}
}

// renderPublic renders a public page in the public layout (no account navigation).
func renderPublic(c *fiber.Ctx, name, title string, data fiber.Map) error {
	data["Judul"] = title
	data["CSRF"] = web.CSRF(c)
	return c.Render(name, data, "layouts/public")
}

// publicError shows a closed survey as its own page (410); other errors go to the app's
// error handler.
func (h *Handler) publicError(c *fiber.Ctx, sv *Survey, err error) error {
	if apperr.Is(err, apperr.Gone) && sv != nil {
		c.Status(fiber.StatusGone)
		return renderPublic(c, "survey/closed", "Survei ditutup", fiber.Map{"S": sv, "UnitName": h.unitName(c, sv.Unit), "Form": sv.Form()})
	}
	return err
}

// device returns the browser's respondent id, giving it one when it has none.
func device(c *fiber.Ctx) string {
	if d := c.Cookies(deviceCookie); len(d) == 22 {
		if _, err := base64.RawURLEncoding.DecodeString(d); err == nil {
			return d
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	d := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: deviceCookie, Value: d, Path: "/survei", HTTPOnly: true, Secure: c.Protocol() == "https",
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(deviceTTL / time.Second)})
	return d
}

func (h *Handler) formPage(c *fiber.Ctx) error {
	sv, kiosk, err := h.publicSurveyOf(c)
	if err != nil {
		return h.publicError(c, sv, err)
	}
	if !kiosk {
		device(c)
	}
	return h.renderForm(c, sv, kiosk, h.Service.Ticket(sv), map[string]string{}, "")
}

func (h *Handler) renderForm(c *fiber.Ctx, sv *Survey, kiosk bool, ticket string, typed map[string]string, msg string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	v := formView{S: sv, Form: sv.Form(), UnitName: h.unitName(c, sv.Unit), Kiosk: kiosk, Token: normToken(c.Params("token")),
		Ticket: ticket, Typed: typed, Error: msg}
	return renderPublic(c, "survey/form", v.Form.Title+" · "+v.UnitName, fiber.Map{"V": v, "Kiosk": kiosk})
}

// profileFields are the profile's form fields.
var profileFields = []string{"umur", "jk", "pendidikan", "pekerjaan", "saran"}

func (h *Handler) submitPage(c *fiber.Ctx) error {
	sv, kiosk, err := h.publicSurveyOf(c)
	if err != nil {
		return h.publicError(c, sv, err)
	}
	f := sv.Form()
	typed := map[string]string{}
	in := Input{Answers: map[string]*int{}}
	var ferr error
	for _, q := range f.Questions {
		raw := c.FormValue(q.Key)
		typed[q.Key] = raw
		v, err := ParseFormAnswer(q.Key, raw)
		if err != nil && ferr == nil {
			ferr = err
		}
		in.Answers[q.Key] = v
	}
	for _, k := range profileFields {
		typed[k] = c.FormValue(k)
	}
	if a := strings.TrimSpace(typed["umur"]); a != "" && ferr == nil {
		n, err := ParseFormAnswer("umur", a)
		if err != nil || n == nil || *n < MinAge || *n > MaxAge {
			ferr = apperr.New(apperr.Invalid, "Umur harus bilangan bulat %d–%d tahun (atau kosongkan).", MinAge, MaxAge)
		} else {
			in.Profile.Age = *n
		}
	}
	in.Profile.Gender, in.Profile.Education, in.Profile.Job, in.Saran = typed["jk"], typed["pendidikan"], typed["pekerjaan"], typed["saran"]
	ticket := c.FormValue("tiket")
	if ferr == nil {
		m := Meta{Kiosk: kiosk, Ticket: ticket}
		if !kiosk {
			m.Device = device(c)
		}
		if _, _, ferr = h.Service.Submit(c.UserContext(), sv, in, m); ferr == nil {
			return c.Redirect("/survei/"+normToken(c.Params("token"))+"/terima-kasih", fiber.StatusSeeOther)
		}
	}
	if apperr.Is(ferr, apperr.Gone) {
		return h.publicError(c, sv, ferr)
	}
	if !apperr.Is(ferr, apperr.Invalid) {
		return ferr
	}
	// What was typed comes back; a ticket the server refused is replaced (the time then
	// counts from now).
	if _, _, terr := h.Service.readTicket(sv, ticket); terr != nil {
		ticket = h.Service.Ticket(sv)
	}
	c.Status(fiber.StatusBadRequest)
	return h.renderForm(c, sv, kiosk, ticket, typed, friendly(apperr.Message(ferr)))
}

// friendly drops the API's field prefix from a message a citizen reads on the form.
func friendly(msg string) string {
	if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "Kolom ") {
		return strings.ToUpper(msg[i+2:i+3]) + msg[i+3:]
	}
	return msg
}

func (h *Handler) thanksPage(c *fiber.Ctx) error {
	sv, kiosk, err := h.Service.Public(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	data := fiber.Map{"S": sv, "UnitName": h.unitName(c, sv.Unit), "Form": sv.Form(), "Kiosk": kiosk,
		"Next": "/survei/" + normToken(c.Params("token"))}
	if kiosk {
		data["Refresh"] = kioskRefresh
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return renderPublic(c, "survey/thanks", "Terima kasih", data)
}
