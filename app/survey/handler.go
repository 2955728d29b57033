package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves surveys: the API, the management pages, and the public form.
type Handler struct {
	Service *Service
	Units   Units
	// PublicURL is the address citizens reach the app at ("https://rapor.kab.go.id"), for
	// the QR code and the poster; empty: the request's own scheme and host.
	PublicURL string
	// Now is the clock of pages ("dicetak …").
	Now func() time.Time
}

// publicBodyLimit bounds a public submission (bytes): nine answers, a profile and a
// suggestion of 1,000 characters fit in a quarter of it.
const publicBodyLimit = 8 << 10

// Routes registers the JSON API.
func (h *Handler) Routes(r web.Router) {
	api := r.Group("/api/v1/surveys")
	api.Get("", account.SignedIn, h.list)
	api.Post("", account.SurveyManagers, h.create)
	one := api.Group("/:year/:kind/:unit")
	one.Get("", account.SignedIn, h.get)
	one.Post("/close", account.SurveyManagers, h.setOpen(false))
	one.Post("/reopen", account.SurveyManagers, h.setOpen(true))
	one.Get("/results", account.SignedIn, h.results)
	one.Get("/responses.xlsx", account.SignedIn, h.xlsx)
	one.Get("/flagged", account.AdminsOnly, h.flagged)
	one.Put("/responses/:seq/included", account.AdminsOnly, h.include)
	pub := r.Group("/api/v1/public/surveys").WithBodyLimit(publicBodyLimit)
	pub.Get("/:token", account.PublicAccess, h.publicForm)
	pub.Post("/:token/responses", account.PublicAccess, h.publicSubmit)
}

// idOf reads a survey id from the route (year, kind, unit). Errors: Invalid, NotFound.
func idOf(c *fiber.Ctx) (string, error) {
	year, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return "", err
	}
	k := Kind(c.Params("kind"))
	if !k.Valid() {
		return "", apperr.New(apperr.NotFound, "Jenis survei %q tidak dikenal.", clipKey(c.Params("kind")))
	}
	return ID(year, k, c.Params("unit")), nil
}

// load returns the route's survey if the user may do act to it.
func (h *Handler) load(c *fiber.Ctx, act account.Action) (*Survey, error) {
	id, err := idOf(c)
	if err != nil {
		return nil, err
	}
	return h.Service.Get(c.UserContext(), web.CurrentUser(c), id, act)
}

// base is the address the public links start with.
func (h *Handler) base(c *fiber.Ctx) string {
	if h.PublicURL != "" {
		return strings.TrimRight(h.PublicURL, "/")
	}
	return c.BaseURL()
}

// Links are a survey's public addresses, shown to its managers.
type Links struct {
	Token    string `json:"token"`
	URL      string `json:"url"`
	KioskURL string `json:"kiosk_url"`
	Poster   string `json:"poster_url"`
}

func (h *Handler) links(c *fiber.Ctx, sv *Survey) Links {
	b := h.base(c)
	return Links{Token: sv.Token, URL: b + "/survei/" + sv.Token, KioskURL: b + "/survei/" + sv.KioskKey,
		Poster: b + "/kelola-survei/" + sv.ID + "/poster"}
}

// view is a survey as the API shows it: the links only to those who manage it.
type view struct {
	*Survey
	*Links
	UnitName string `json:"unit_name"`
}

func (h *Handler) view(c *fiber.Ctx, sv *Survey) view {
	v := view{Survey: sv, UnitName: sv.Unit}
	if un, err := h.Units.ByCode(c.UserContext(), sv.Unit); err == nil {
		v.UnitName = un.Name
	}
	if h.Service.Decide(c.UserContext(), web.CurrentUser(c), account.Survey, sv) == nil {
		l := h.links(c, sv)
		v.Links = &l
	}
	return v
}

// decodeStrict reads a JSON body into v, refusing unknown fields and values of the wrong
// type with the field named. Errors: Invalid.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return apperr.New(apperr.Invalid, "Kolom %s: jenis nilai salah (%s).", te.Field, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return apperr.New(apperr.Invalid, "Kolom %s tidak dikenal.", clipKey(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)))
		}
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON yang valid.")
	}
	return nil
}

func (h *Handler) create(c *fiber.Ctx) error {
	var in CreateInput
	if err := decodeStrict(c.Body(), &in); err != nil {
		return err
	}
	sv, err := h.Service.Create(c.UserContext(), web.CurrentUser(c), in)
	if err != nil {
		return err
	}
	l := h.links(c, sv)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": sv.ID, "token": l.Token, "url": l.URL, "kiosk_url": l.KioskURL,
		"poster_url": l.Poster, "survey": h.view(c, sv)})
}

func (h *Handler) list(c *fiber.Ctx) error {
	year := 0
	if p := c.Query("period"); p != "" {
		y, err := period.ParseYear(p)
		if err != nil {
			return err
		}
		year = y
	}
	svs, err := h.Service.List(c.UserContext(), web.CurrentUser(c), year)
	if err != nil {
		return err
	}
	out := make([]view, 0, len(svs))
	for i := range svs {
		if k := c.Query("kind"); k != "" && string(svs[i].Kind) != k {
			continue
		}
		if un := c.Query("unit"); un != "" && svs[i].Unit != un {
			continue
		}
		out = append(out, h.view(c, &svs[i]))
	}
	return c.JSON(fiber.Map{"surveys": out})
}

func (h *Handler) get(c *fiber.Ctx) error {
	sv, err := h.load(c, account.Read)
	if err != nil {
		return err
	}
	return c.JSON(h.view(c, sv))
}

func (h *Handler) setOpen(open bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idOf(c)
		if err != nil {
			return err
		}
		sv, err := h.Service.SetOpen(c.UserContext(), web.CurrentUser(c), id, open)
		if err != nil {
			return err
		}
		return c.JSON(h.view(c, sv))
	}
}

func (h *Handler) results(c *fiber.Ctx) error {
	sv, err := h.load(c, account.Read)
	if err != nil {
		return err
	}
	res, _, _, err := h.Service.Results(c.UserContext(), sv)
	if err != nil {
		return err
	}
	h.Service.CatchUp(sv)
	return c.JSON(res)
}

// FlaggedResponse is a flagged response as the admin sees it: when, why, its answers (by
// question key, null for a blank), and whether it is counted back in.
type FlaggedResponse struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Reasons  []string        `json:"reasons"`
	Answers  map[string]*int `json:"answers"`
	Seconds  *int            `json:"seconds"`
	Kiosk    bool            `json:"kiosk"`
	Included bool            `json:"included"`
}

// flaggedOf lists the flagged responses of sv, oldest first.
func flaggedOf(sv *Survey, rs []Response, flags map[int64][]string) []FlaggedResponse {
	f := sv.Form()
	out := []FlaggedResponse{}
	for _, r := range rs {
		if len(flags[r.Seq]) == 0 {
			continue
		}
		fr := FlaggedResponse{Seq: r.Seq, At: r.At, Reasons: flags[r.Seq], Answers: map[string]*int{}, Kiosk: r.Kiosk,
			Included: slices.Contains(sv.Included, r.Seq)}
		if r.Seconds >= 0 {
			s := r.Seconds
			fr.Seconds = &s
		}
		for i, q := range f.Questions {
			if i < len(r.Answers) && r.Answers[i] != Blank {
				a := r.Answers[i]
				fr.Answers[q.Key] = &a
			} else {
				fr.Answers[q.Key] = nil
			}
		}
		out = append(out, fr)
	}
	return out
}

func (h *Handler) flagged(c *fiber.Ctx) error {
	sv, err := h.load(c, account.Manage)
	if err != nil {
		return err
	}
	_, rs, flags, err := h.Service.Results(c.UserContext(), sv)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"flagged": flaggedOf(sv, rs, flags)})
}

func (h *Handler) include(c *fiber.Ctx) error {
	id, err := idOf(c)
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(c.Params("seq"), 10, 64)
	if err != nil || seq < 1 {
		return apperr.New(apperr.NotFound, "Respons tidak ditemukan.")
	}
	var body struct {
		Included *bool `json:"included"`
	}
	if err := decodeStrict(c.Body(), &body); err != nil {
		return err
	}
	if body.Included == nil {
		return apperr.New(apperr.Invalid, "Kolom included wajib diisi (true atau false).")
	}
	sv, err := h.Service.Include(c.UserContext(), web.CurrentUser(c), id, seq, *body.Included)
	if err != nil {
		return err
	}
	return c.JSON(h.view(c, sv))
}

// publicSurvey is the public form's definition (GET /api/v1/public/surveys/{token}).
type publicSurvey struct {
	Title     string           `json:"title"`
	Intro     string           `json:"intro"`
	Kind      Kind             `json:"kind"`
	Unit      string           `json:"unit"`
	Service   string           `json:"service"`
	Kiosk     bool             `json:"kiosk"`
	Questions []publicQuestion `json:"questions"`
	Profile   map[string]any   `json:"respondent"`
	FormToken string           `json:"form_token"`
}

type publicQuestion struct {
	Key     string         `json:"key"`
	Text    string         `json:"text"`
	Options []publicOption `json:"options"`
}

type publicOption struct {
	Value int    `json:"value"`
	Label string `json:"label"`
}

// publicSurveyOf loads the survey of the route's token: 404 for an unknown or malformed one,
// 410 for a closed one.
func (h *Handler) publicSurveyOf(c *fiber.Ctx) (*Survey, bool, error) {
	sv, kiosk, err := h.Service.Public(c.UserContext(), c.Params("token"))
	if err != nil {
		return nil, false, err
	}
	if sv.Status != Open {
		return sv, kiosk, apperr.New(apperr.Gone, "Survei ini sudah ditutup. Terima kasih atas kesediaan Anda.")
	}
	return sv, kiosk, nil
}

func (h *Handler) unitName(c *fiber.Ctx, code string) string {
	if un, err := h.Units.ByCode(c.UserContext(), code); err == nil {
		return un.Name
	}
	return code
}

func (h *Handler) publicForm(c *fiber.Ctx) error {
	sv, kiosk, err := h.publicSurveyOf(c)
	if err != nil {
		return err
	}
	f := sv.Form()
	out := publicSurvey{Title: f.Title, Intro: f.Intro, Kind: sv.Kind, Unit: h.unitName(c, sv.Unit), Service: sv.Service, Kiosk: kiosk,
		FormToken: h.Service.Ticket(sv), Profile: map[string]any{
			"umur": fiber.Map{"min": MinAge, "max": MaxAge}, "jenis_kelamin": Genders, "pendidikan": Educations, "pekerjaan": Jobs}}
	for _, q := range f.Questions {
		pq := publicQuestion{Key: q.Key, Text: q.Text}
		labels := f.AnswerLabels(q.Key)
		for i, o := range f.Options {
			pq.Options = append(pq.Options, publicOption{Value: o.Value, Label: labels[i]})
		}
		out.Questions = append(out.Questions, pq)
	}
	return c.JSON(out)
}

// submission is the body of POST /api/v1/public/surveys/{token}/responses.
type submission struct {
	Answers    map[string]json.RawMessage `json:"answers"`
	Respondent *respondent                `json:"respondent"`
	Saran      string                     `json:"saran"`
	FormToken  string                     `json:"form_token"`
}

type respondent struct {
	Umur         *int   `json:"umur"`
	JenisKelamin string `json:"jenis_kelamin"`
	Pendidikan   string `json:"pendidikan"`
	Pekerjaan    string `json:"pekerjaan"`
}

// input turns the body into the service's Input. Errors: Invalid naming the field.
func (b submission) input() (Input, error) {
	in := Input{Answers: map[string]*int{}, Saran: b.Saran}
	for k, raw := range b.Answers {
		v, err := ParseJSONAnswer("answers."+clipKey(k), raw)
		if err != nil {
			return in, err
		}
		in.Answers[k] = v
	}
	if r := b.Respondent; r != nil {
		if r.Umur != nil {
			if *r.Umur == 0 {
				return in, apperr.New(apperr.Invalid, "Kolom respondent.umur: umur harus %d–%d tahun.", MinAge, MaxAge)
			}
			in.Profile.Age = *r.Umur
		}
		in.Profile.Gender, in.Profile.Education, in.Profile.Job = r.JenisKelamin, r.Pendidikan, r.Pekerjaan
	}
	return in, nil
}

func (h *Handler) publicSubmit(c *fiber.Ctx) error {
	sv, kiosk, err := h.publicSurveyOf(c)
	if err != nil {
		return err
	}
	var body submission
	if err := decodeStrict(c.Body(), &body); err != nil {
		return err
	}
	if body.Answers == nil {
		return apperr.New(apperr.Invalid, "Kolom answers wajib diisi.")
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	seq, dup, err := h.Service.Submit(c.UserContext(), sv, in, Meta{Kiosk: kiosk, Ticket: body.FormToken})
	if err != nil {
		return err
	}
	if dup {
		return c.JSON(fiber.Map{"seq": seq, "duplicate": true})
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"seq": seq})
}
