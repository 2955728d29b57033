package survey

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
)

// Periods finds a year's schedule.
type Periods interface {
	ByYear(ctx context.Context, year int) (*period.Period, error)
}

// Units finds a unit.
type Units interface {
	ByCode(ctx context.Context, code string) (*unit.Unit, error)
}

// Sealer signs and checks the public form's per-form ticket (web.Server's Seal/Unseal: the
// CSRF key's HMAC, as the anonymous login form's nonce).
type Sealer interface {
	Seal(purpose string, payload []byte) string
	Unseal(purpose, token string) ([]byte, bool)
}

// Service holds the survey rules: setting surveys up, taking responses, computing results
// and bringing them to the assessment.
type Service struct {
	Store *Store
	// Assessments is the one write path of sheets (assessment.Service.Apply).
	Assessments *assessment.Service
	Periods     Periods
	Units       Units
	Catalog     *instrument.Catalog
	Access      assessment.Access
	Audit       *audit.Log
	Seal        Sealer
	Now         func() time.Time
	Rules       Rules
	// SyncDelay: 0 brings a response's result to the sheet before the submission answers (the
	// tests); above 0, at most once per survey per SyncDelay, in the background, so that a
	// citizen's submission never waits for the process-wide writer (DefaultSyncDelay).
	SyncDelay time.Duration
	Log       *slog.Logger

	sync syncer
	// afterCompute, in tests, runs between a sync's computing the result and its write.
	afterCompute func()
}

// DefaultSyncDelay is how long responses gather before their survey's result is written to
// the sheet: the sheet lags the survey by at most this.
const DefaultSyncDelay = 2 * time.Second

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) rules() Rules {
	if s.Rules.BurstSize == 0 {
		return DefaultRules
	}
	return s.Rules
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// assessmentOf is the assessment a survey's result goes to (an Assessment carrying only what
// authorization needs: its id and unit).
func assessmentOf(sv *Survey) *assessment.Assessment {
	return &assessment.Assessment{ID: assessment.ID(sv.Period, sv.Instrument, sv.Unit), Period: sv.Period, Instrument: sv.Instrument, Unit: sv.Unit}
}

// Decide is account.Decide for an action on survey sv, looking up an evaluator's assignment
// to the assessment the survey feeds: Read (admin, pimpinan, the unit's camat and staf, its
// assigned evaluator), Survey (its camat, the admin), Manage (the admin).
func (s *Service) Decide(ctx context.Context, u *account.User, act account.Action, sv *Survey) error {
	return s.Access.Decide(ctx, u, act, assessmentOf(sv))
}

// CreateInput is a new survey as the API and the form send it.
type CreateInput struct {
	Period     int    `json:"period"`
	Unit       string `json:"unit"`
	Kind       Kind   `json:"kind"`
	Service    string `json:"service"`
	Population int    `json:"population"`
}

// Validate checks the fields that need no lookup. Errors: Invalid naming the field.
func (in *CreateInput) Validate() error {
	in.Service = strings.TrimSpace(in.Service)
	switch {
	case in.Period < 2000 || in.Period > 2100:
		return apperr.InField("period", "Tahun survei %d tidak valid.", in.Period)
	case in.Unit == "":
		return apperr.InField("unit", "Pilih kecamatan yang disurvei.")
	case !unit.ValidCode(in.Unit):
		return apperr.InField("unit", "Kode kecamatan %q tidak valid.", clipKey(in.Unit))
	case !in.Kind.Valid():
		return apperr.InField("kind", "Jenis survei harus %s (%q) atau %s (%q).", IKM.Label(), IKM, F03.Label(), F03)
	case in.Service == "":
		return apperr.InField("service", "Isi jenis layanan yang disurvei (misalnya \"Administrasi kependudukan\").")
	case !utf8.ValidString(in.Service) || utf8.RuneCountInString(in.Service) > MaxService:
		return apperr.InField("service", "Jenis layanan yang disurvei terlalu panjang (maksimal %d karakter).", MaxService)
	case in.Population < 1 || in.Population > MaxPopulation:
		return apperr.InField("population", "Jumlah pengguna layanan periode sebelumnya harus 1–%s.", thousands(MaxPopulation))
	}
	return nil
}

// instrumentFor finds the instrument of form f that the period runs and checks that it has
// every target indicator, on a scale marked `source: survey` that takes the form's result.
func (s *Service) instrumentFor(ctx context.Context, year int, f *Form) (*instrument.Instrument, error) {
	p, err := s.Periods.ByYear(ctx, year)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.InField("period", "Periode %d belum dibuka.", year)
	} else if err != nil {
		return nil, err
	}
	for _, w := range p.Instruments {
		if !strings.HasPrefix(w.Instrument, f.Family+"-") {
			continue
		}
		inst, ok := s.Catalog.Get(w.Instrument)
		if !ok {
			continue
		}
		fits := true
		for _, t := range f.Targets {
			sc := inst.ScaleOf(t.Indicator)
			if _, ok := inst.Indicator(t.Indicator); !ok || !sc.FromSurvey() || sc.Kind != instrument.KindNumber {
				fits = false
			}
		}
		if fits {
			return inst, nil
		}
	}
	return nil, apperr.InField("kind", "Periode %d tidak memuat instrumen %s yang menerima hasil survei ini.", year, f.Kind.Short())
}

// Create sets a survey up for a unit. Who: the unit's camat, or the admin. Errors: Invalid
// (a field, named), NotFound (the unit), Forbidden, Conflict (the unit already has one of that
// kind that year).
func (s *Service) Create(ctx context.Context, u *account.User, in CreateInput) (*Survey, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	un, err := s.Units.ByCode(ctx, in.Unit)
	if err != nil {
		return nil, err
	}
	if err := account.Decide(u, account.Survey, account.Object{Unit: un.Code}); err != nil {
		return nil, err
	}
	f := FormOf(in.Kind)
	inst, err := s.instrumentFor(ctx, in.Period, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sv := &Survey{ID: ID(in.Period, in.Kind, un.Code), Period: in.Period, Unit: un.Code, Kind: in.Kind, Instrument: inst.ID,
		Service: in.Service, Population: in.Population, Status: Open, Token: NewToken(), KioskKey: NewToken(),
		CreatedBy: u.Username, CreatedAt: now}
	if err := s.Store.Create(ctx, sv); err != nil {
		return nil, err
	}
	if err := s.record(ctx, u, audit.SurveyCreate, sv, "%s, %s, populasi %d", in.Kind.Short(), in.Service, in.Population); err != nil {
		return nil, err
	}
	return sv, nil
}

func (s *Service) record(ctx context.Context, u *account.User, act audit.Action, sv *Survey, format string, args ...any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Event{At: s.now(), Actor: u.Username, Action: act, Target: sv.ID, Unit: sv.Unit,
		Detail: fmt.Sprintf(format, args...)})
}

// Get returns survey id if u may do act to it. Errors: NotFound, Forbidden.
func (s *Service) Get(ctx context.Context, u *account.User, id string, act account.Action) (*Survey, error) {
	sv, err := s.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Decide(ctx, u, act, sv); err != nil {
		return nil, err
	}
	return sv, nil
}

// List returns the surveys of a year (0: all) that u may read.
func (s *Service) List(ctx context.Context, u *account.User, year int) ([]Survey, error) {
	all, err := s.Store.List(ctx, year)
	if err != nil {
		return nil, err
	}
	as := make([]assessment.Assessment, len(all))
	for i := range all {
		as[i] = *assessmentOf(&all[i])
	}
	vis, err := s.Access.Visible(ctx, u, as)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, a := range vis {
		ok[a.ID] = true
	}
	out := all[:0:0]
	for _, sv := range all {
		if ok[assessmentOf(&sv).ID] {
			out = append(out, sv)
		}
	}
	return out, nil
}

// SetOpen closes (open false) or reopens a survey. Who: its camat, the admin. A closed survey
// answers 410 to its public form and API; its responses and result stay.
func (s *Service) SetOpen(ctx context.Context, u *account.User, id string, open bool) (*Survey, error) {
	if _, err := s.Get(ctx, u, id, account.Survey); err != nil {
		return nil, err
	}
	now := s.now()
	sv, err := s.Store.Update(ctx, id, func(sv *Survey) error {
		if open {
			sv.Status, sv.ClosedAt = Open, nil
		} else {
			sv.Status, sv.ClosedAt = Closed, &now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	act, what := audit.SurveyReopen, "dibuka kembali"
	if !open {
		act, what = audit.SurveyClose, "ditutup"
	}
	if err := s.record(ctx, u, act, sv, "survei %s %s (%d respons)", sv.Kind.Short(), what, sv.Seq); err != nil {
		return nil, err
	}
	return sv, nil
}

// Include counts a flagged response back in (include true) or leaves it out again. Who: the
// admin. Errors: Invalid when seq is not a flagged response of the survey.
func (s *Service) Include(ctx context.Context, u *account.User, id string, seq int64, include bool) (*Survey, error) {
	sv, err := s.Get(ctx, u, id, account.Manage)
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.Responses(ctx, id, sv.Seq)
	if err != nil {
		return nil, err
	}
	flags := Flags(sv.Form(), rs, s.rules())
	if len(flags[seq]) == 0 {
		return nil, apperr.New(apperr.Invalid, "Respons nomor %d tidak ada atau tidak ditandai; hanya respons yang ditandai yang dapat disertakan kembali.", seq)
	}
	sv, err = s.Store.Update(ctx, id, func(sv *Survey) error {
		kept := sv.Included[:0:0]
		for _, x := range sv.Included {
			if x != seq {
				kept = append(kept, x)
			}
		}
		if include {
			kept = append(kept, seq)
		}
		sv.Included = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	what := "disertakan kembali"
	if !include {
		what = "dikeluarkan lagi"
	}
	if err := s.record(ctx, u, audit.SurveyInclude, sv, "respons %d (%s) %s", seq, strings.Join(flags[seq], ", "), what); err != nil {
		return nil, err
	}
	s.schedule(id)
	return sv, nil
}

// Results computes a survey's results and returns them with its responses and their flags.
func (s *Service) Results(ctx context.Context, sv *Survey) (*Results, []Response, map[int64][]string, error) {
	rs, err := s.Store.Responses(ctx, sv.ID, sv.Seq)
	if err != nil {
		return nil, nil, nil, err
	}
	res := Compute(sv, rs, s.rules())
	return res, rs, Flags(sv.Form(), rs, s.rules()), nil
}

// tokenAlphabet is Crockford's base 32 in lower case (no i, l, o, u): tokens are read off a
// poster and typed.
const tokenAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// tokenLen is a token's length: 16 characters of 5 bits, 80 random bits.
const tokenLen = 16

var tokenRe = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{16}$`)

// NewToken returns an unguessable public token: 80 bits from crypto/rand.
func NewToken() string {
	var b [tokenLen]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = tokenAlphabet[b[i]&31]
	}
	return string(b[:])
}

// ValidToken reports whether s has a token's form (after normToken); anything else is not
// looked up at all.
func ValidToken(s string) bool { return tokenRe.MatchString(s) }

// Public returns the survey of a public token or kiosk key, and whether it was the kiosk
// key. Errors: NotFound for anything that is not a survey's token (a malformed one is never
// looked up).
func (s *Service) Public(ctx context.Context, token string) (*Survey, bool, error) {
	token = normToken(token)
	if !ValidToken(token) {
		return nil, false, apperr.New(apperr.NotFound, "Survei tidak ditemukan. Periksa alamat pada poster.")
	}
	sv, err := s.Store.ByToken(ctx, token)
	if err != nil {
		return nil, false, err
	}
	return sv, token == sv.KioskKey, nil
}

// ticketPurpose is the Seal purpose of the form's ticket.
const ticketPurpose = "survei-tiket"

// MaxTicketAge is how long a served form's ticket is accepted; an older form is sent back to
// the respondent with a fresh ticket and their answers kept.
const MaxTicketAge = 12 * time.Hour

// Ticket returns a fresh per-form ticket for survey sv: when the form was served and a
// random nonce, sealed (signed) for this survey.
func (s *Service) Ticket(sv *Survey) string {
	b := make([]byte, 8+12, 8+12+len(sv.ID))
	binary.BigEndian.PutUint64(b, uint64(s.now().Unix())) // #nosec G115 -- a time after 1970
	_, _ = rand.Read(b[8:20])
	b = append(b, sv.ID...)
	return s.Seal.Seal(ticketPurpose, b)
}

// Meta is what the safeguards know of a submission besides its answers.
type Meta struct {
	Device string // the browser's respondent cookie; empty through the API
	Kiosk  bool   // sent from the kiosk form (the kiosk key)
	Ticket string // the form's ticket as sent; empty: none (the API without form_token)
}

// readTicket checks a ticket for survey sv and returns its nonce and the seconds since the
// form was served. Errors: Invalid (forged, another survey's, too old).
func (s *Service) readTicket(sv *Survey, ticket string) (string, int, error) {
	b, ok := s.Seal.Unseal(ticketPurpose, ticket)
	if !ok || len(b) < 20 || string(b[20:]) != sv.ID {
		return "", 0, apperr.New(apperr.Invalid, "Kolom form_token tidak sah: muat ulang formulir survei.")
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0) // #nosec G115 -- written by Ticket
	age := s.now().Sub(issued)
	if age > MaxTicketAge {
		return "", 0, apperr.New(apperr.Invalid, "Formulir sudah terlalu lama terbuka. Jawaban Anda masih ada; kirim sekali lagi.")
	}
	secs := max(int(age/time.Second), 0)
	return fmt.Sprintf("%x", b[8:20]), secs, nil
}

// Submit stores one questionnaire of survey sv. Errors: Gone (closed), Invalid (a field,
// named; a bad ticket). A form sent twice (the same ticket) is stored once: dup is true then.
// The result reaches the sheet now (SyncDelay 0) or within SyncDelay.
func (s *Service) Submit(ctx context.Context, sv *Survey, in Input, m Meta) (seq int64, dup bool, err error) {
	if sv.Status != Open {
		return 0, false, apperr.New(apperr.Gone, "Survei ini sudah ditutup. Terima kasih atas kesediaan Anda.")
	}
	answers, err := in.Validate(sv.Form())
	if err != nil {
		return 0, false, err
	}
	r := Response{At: s.now(), Answers: answers, Profile: in.Profile, Saran: CleanSuggestion(in.Saran),
		Device: m.Device, Kiosk: m.Kiosk, Seconds: -1}
	if m.Ticket != "" {
		if r.Ticket, r.Seconds, err = s.readTicket(sv, m.Ticket); err != nil {
			return 0, false, err
		}
	}
	seq, dup, err = s.Store.Append(ctx, sv.ID, r)
	if err != nil || dup {
		return seq, dup, err
	}
	s.schedule(sv.ID)
	return seq, false, nil
}

// thousands prints n with the Indonesian thousands separator: 10000000 → "10.000.000".
func thousands(n int) string {
	d := strconv.Itoa(n)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "." + d[i:]
	}
	return d
}
