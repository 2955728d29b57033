package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// wib is the kabupaten's clock (UTC+7); deadlines fall on midnight of a WIB day.
var wib = time.FixedZone("WIB", 7*60*60)

// dayOf truncates t to the start of its day in WIB.
func dayOf(t time.Time) time.Time {
	t = t.In(wib)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, wib)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, wib) }

// day is a date of the calendar (a whole day in the kabupaten's zone).
func day(t time.Time) period.Day { return period.DayOf(t, wib) }

// startOf is 00:00 WIB of a calendar day; endOf the first instant after it (a deadline day
// lasts through 23:59:59).
func startOf(d period.Day) time.Time { return d.Start(wib) }
func endOf(d period.Day) time.Time   { return d.End(wib) }

// selfDeadlineDays puts the current year's self-assessment deadlines at different distances
// from today, so the home page shows a countdown that is near (PEKPPP), comfortable (SAKIP)
// and already past (New Normal: those still in draft are late).
var selfDeadlineDays = map[string]int{
	"zi-2021":         21,
	"sakip-2021":      35,
	"pekppp-2022":     10,
	"ikm-2017":        28,
	"new-normal-2020": -30,
}

// defaultSelfDeadlineDays serves an instrument added to the catalog later.
const defaultSelfDeadlineDays = 30

// periods returns the three seeded years, oldest first. Earlier years ran the usual calendar
// (open 15 January, self-assessment until 30 September, review until 30 November); the
// current year's deadlines are relative to now. The current year opens on 15 January, or
// earlier when now is so early in the year that there would be no time to have done anything.
func periods(cat *instrument.Catalog, now time.Time) []period.Period {
	year := now.In(wib).Year()
	today := dayOf(now)
	var out []period.Period
	for y := year - seededYears + 1; y <= year; y++ {
		p := period.Period{Year: y}
		for _, inst := range cat.List() {
			w := period.Window{Instrument: inst.ID, Opens: day(date(y, time.January, 15)),
				SelfDeadline: day(date(y, time.September, 30)), ReviewDeadline: day(date(y, time.November, 30))}
			if y == year {
				if early := day(today.AddDate(0, 0, -45)); early < w.Opens {
					w.Opens = early
				}
				days, ok := selfDeadlineDays[inst.ID]
				if !ok {
					days = defaultSelfDeadlineDays
				}
				w.SelfDeadline = day(today.AddDate(0, 0, days))
				w.ReviewDeadline = w.SelfDeadline.AddDays(30)
			}
			p.Instruments = append(p.Instruments, w)
		}
		out = append(out, p)
	}
	return out
}

// slot is where a kecamatan stands on one instrument in the current year.
type slot int

const (
	slotFinal     slot = iota // reviewed and finalized
	slotReview                // submitted, the evaluator is part-way through
	slotSubmitted             // submitted, not yet opened
	slotReturned              // reviewed, items returned for correction
	slotDraft                 // being filled in (30–90 %)
	slotLate                  // hardly started
	numSlots
)

var slotStatus = [numSlots]assessment.Status{
	slotFinal: assessment.Final, slotReview: assessment.InReview, slotSubmitted: assessment.Submitted,
	slotReturned: assessment.Returned, slotDraft: assessment.Draft, slotLate: assessment.Draft,
}

// slotCounts is how many kecamatan stand in each slot, by instrument. New Normal's deadline
// has passed, so most of it is submitted or reviewed by now.
var slotCounts = map[string][numSlots]int{
	"new-normal-2020": {9, 5, 4, 2, 2, 2},
}

var defaultSlotCounts = [numSlots]int{5, 5, 5, 2, 5, 2}

// forcedSlots pins the units the journeys rely on: Sukamaju (the showcase camat) has a ZI
// draft to continue, Mekarsari a fresh submission in inspektur's queue, and the WBK
// kecamatan are finalized so the dashboard shows them (Tanjungsari as WBBM).
var forcedSlots = map[string]map[string]slot{
	ziInstrument: {
		"sukamaju":    slotDraft,
		"mekarsari":   slotSubmitted,
		"tanjungsari": slotFinal,
		"lembah-asri": slotFinal,
		"sidomulyo":   slotFinal,
	},
}

// currentSlots places every kecamatan for one instrument in the current year. The more mature
// a unit, the further along it tends to be, with some noise so the order differs by instrument.
func currentSlots(instID string) []slot {
	r := rngFor("slots", instID)
	n := len(kecamatanList)
	rank := make([]float64, n)
	order := make([]int, n)
	for i, k := range kecamatanList {
		rank[i] = maturity(k, 2) + r.NormFloat64()*0.08
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if rank[a] > rank[b] {
			return -1
		} else if rank[a] < rank[b] {
			return 1
		}
		return 0
	})
	counts, ok := slotCounts[instID]
	if !ok {
		counts = defaultSlotCounts
	}
	slots := make([]slot, n)
	pos := 0
	for s := range numSlots {
		for range counts[s] {
			if pos < n {
				slots[order[pos]] = s
				pos++
			}
		}
	}
	for ; pos < n; pos++ {
		slots[order[pos]] = slotDraft
	}
	forced := forcedSlots[instID]
	for i, k := range kecamatanList {
		want, ok := forced[k.code]
		if !ok || slots[i] == want {
			continue
		}
		// Swap with an unpinned unit in the wanted slot, so the counts stay as planned.
		for j, other := range kecamatanList {
			if _, pinned := forced[other.code]; !pinned && slots[j] == want {
				slots[j] = slots[i]
				break
			}
		}
		slots[i] = want
	}
	return slots
}

// between returns a time in [lo, hi), to the second; lo when the range is empty.
func between(r *rand.Rand, lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo.UTC().Truncate(time.Second)
	}
	return lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo))))).UTC().Truncate(time.Second)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// schedule is when things happened to one assessment: answers, submission, reviews.
type schedule struct {
	answersFrom, answersTo time.Time
	submitted              time.Time
	reviewFrom, reviewTo   time.Time
	latest                 time.Time // nothing happens after this
}

// scheduleFor draws the timeline of one assessment. Earlier years follow their calendar;
// in the current year everything happened between the opening and an hour ago, and a
// submission came before the self-assessment deadline.
func scheduleFor(r *rand.Rand, w period.Window, current bool, now time.Time) schedule {
	if !current {
		y := startOf(w.Opens).Year()
		sub := between(r, date(y, time.August, 20), date(y, time.September, 29).Add(16*time.Hour))
		return schedule{answersFrom: date(y, time.February, 1), answersTo: sub.Add(-time.Hour), submitted: sub,
			reviewFrom: date(y, time.October, 1), reviewTo: date(y, time.November, 25),
			latest: date(y, time.November, 29).Add(17 * time.Hour)}
	}
	start := startOf(w.Opens).Add(24 * time.Hour)
	end := now.Add(-time.Hour)
	subTo := minTime(end.Add(-3*24*time.Hour), startOf(w.SelfDeadline).Add(-time.Hour))
	subFrom := maxTime(start.Add(24*time.Hour), subTo.Add(-45*24*time.Hour))
	sub := between(r, subFrom, subTo)
	// Reviews stop at the review deadline when it has passed (New Normal's is today).
	reviewTo := minTime(end, startOf(w.ReviewDeadline).Add(-time.Hour))
	return schedule{answersFrom: start, answersTo: sub.Add(-time.Hour), submitted: sub,
		reviewFrom: sub.Add(24 * time.Hour), reviewTo: reviewTo, latest: end}
}

// draftAnswersTo is when a draft's last answer could have been saved: now, unless the
// deadline has passed without an extension (then nothing was saved after it).
func draftAnswersTo(w period.Window, extended bool, now time.Time) time.Time {
	end := now.Add(-time.Hour)
	if !extended && endOf(w.SelfDeadline).Before(end) {
		return endOf(w.SelfDeadline).Add(-time.Hour)
	}
	return end
}

// Notes, comments and evidence wording, in Bahasa Indonesia as the users write them.
var (
	selfNotes = []string{
		"Sudah dilaksanakan sesuai rencana kerja tahun berjalan.",
		"Ditetapkan dengan SK Camat; salinan terlampir.",
		"Pelaksanaan dipantau setiap triwulan oleh tim kerja.",
		"Masih dalam proses penyusunan, target selesai triwulan berikutnya.",
		"Data diambil dari rekap aplikasi pelayanan kecamatan.",
		"Sosialisasi dilakukan melalui apel pagi dan grup pegawai.",
		"Dokumen asli tersimpan di arsip sekretariat kecamatan.",
		"Sudah dikoordinasikan dengan Bagian Organisasi Setda.",
		"Angka berdasarkan laporan bulanan Seksi Pelayanan Umum.",
		"Belum semua seksi melaksanakan; akan diperluas tahun depan.",
	}
	returnNoEvidence = []string{
		"Bukti dukung belum diunggah. Mohon lampirkan dokumen sesuai indikator.",
		"Belum ada bukti pelaksanaan. Mohon unggah laporan atau dokumentasi kegiatan.",
	}
	returnWithEvidence = []string{
		"SK yang dilampirkan masih SK tahun lalu. Mohon unggah SK tahun berjalan.",
		"Nilai yang diisi belum didukung bukti; lampirkan laporan monitoring dan evaluasi.",
		"Tautan dokumen tidak dapat dibuka. Mohon unggah berkas PDF atau perbaiki hak aksesnya.",
		"Notulen dan daftar hadir rapat belum ditandatangani. Mohon dilengkapi.",
		"Dokumen yang diunggah tidak sesuai dengan indikator ini. Mohon periksa kembali.",
	}
	adjustComments = []string{
		"Nilai disesuaikan: bukti dukung hanya mencakup sebagian kegiatan.",
		"Nilai disesuaikan dengan hasil verifikasi dokumen.",
		"Bukti belum menunjukkan pelaksanaan rutin; nilai diturunkan satu tingkat.",
		"Disesuaikan: laporan monev hanya tersedia untuk dua triwulan.",
	}
	okComments = []string{
		"Sesuai.",
		"Bukti dukung lengkap.",
		"Sudah sesuai dengan bukti dukung.",
	}
)

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// sheetSpec says which assessment to generate.
type sheetSpec struct {
	inst    *instrument.Instrument
	kec     kecamatan
	idx     int // position in kecamatanList
	k       int // 0 = oldest seeded year
	year    int
	slot    slot
	window  period.Window
	current bool
	now     time.Time
}

func setResponse(r *assessment.Response, a scoring.Answer) {
	r.Option, r.Value = a.Option, a.Number
}

func setReview(r *assessment.Review, a scoring.Answer) {
	r.Option, r.Value = a.Option, a.Number
}

// generate builds one assessment and its sheet, consistent with its status, and scores it.
// prev is the unit's previous-year final predicates (nil for the oldest year).
func generate(sp sheetSpec, prev scoring.Previous) (*assessment.Assessment, *assessment.Sheet, error) {
	inst, kec := sp.inst, sp.kec
	r := rngFor("sheet", inst.ID, kec.code, sp.k)
	accepted := latent(inst, kec, sp.k)
	if inst.ID == ziInstrument {
		if err := enforceZI(inst, accepted, kec.zi[sp.k], prev, r); err != nil {
			return nil, nil, fmt.Errorf("%s %d: %w", kec.code, sp.year, err)
		}
	}
	self, err := claimsOf(inst, kec, accepted, r)
	if err != nil {
		return nil, nil, err
	}
	inds := inst.Indicators()
	n := len(inds)
	answeredN, reviewedN, returnedN := n, 0, 0
	portion := func(lo, hi float64) int {
		return max(1, min(n-1, int(math.Round((lo+(hi-lo)*r.Float64())*float64(n)))))
	}
	switch sp.slot {
	case slotDraft:
		answeredN = portion(0.3, 0.9)
	case slotLate:
		answeredN = portion(0.02, 0.15)
	case slotFinal:
		reviewedN = n
	case slotReturned:
		reviewedN = n
		returnedN = min(2+r.IntN(3), max(1, n/4))
	case slotReview:
		reviewedN = portion(0.35, 0.8)
		returnedN = min(1+r.IntN(2), reviewedN)
	}
	answered := make([]bool, n)
	for _, i := range answeredOrder(n, r)[:answeredN] {
		answered[i] = true
	}

	id := assessment.ID(sp.year, inst.ID, kec.code)
	extended := sp.current && sp.slot == slotDraft && !sp.now.Before(endOf(sp.window.SelfDeadline))
	sch := scheduleFor(r, sp.window, sp.current, sp.now)
	if sp.slot == slotDraft || sp.slot == slotLate {
		sch.answersTo = draftAnswersTo(sp.window, extended, sp.now)
	}
	people := [2]string{"staf." + kec.code, "camat." + kec.code}
	// Evidence rises with maturity, from about a fifth of the answers to about 60 %. It is
	// kept below "everything proven" on purpose: besides being what the evaluator returns
	// items for, every byte of a sheet is re-read by each write on the embedded engine.
	evidenceP := clamp(0.8*maturity(kec, sp.k)-0.1, 0.15, 0.7)
	if sp.slot == slotLate {
		evidenceP /= 2
	}

	sheet := &assessment.Sheet{ID: id, Rev: 1, Answers: []assessment.Answer{}}
	last := sch.answersFrom.UTC()
	for i, ind := range inds {
		if !answered[i] {
			continue
		}
		a := self[ind.Code]
		if err := scoring.ValidateAnswer(inst, ind.Code, a); err != nil {
			return nil, nil, fmt.Errorf("%s: generated answer: %w", id, err)
		}
		by := people[0]
		if r.Float64() < 0.3 {
			by = people[1]
		}
		resp := &assessment.Response{By: by, At: between(r, sch.answersFrom, sch.answersTo)}
		setResponse(resp, a)
		if r.Float64() < 0.12 {
			resp.Note = pick(r, selfNotes)
		}
		ans := assessment.Answer{Indicator: ind.Code, Self: resp, Rev: 1}
		if r.Float64() < evidenceP {
			ans.Evidence = append(ans.Evidence, evidenceFor(r, ind, kec.code, sp.year, by, resp.At, 0))
			if r.Float64() < 0.08 {
				ans.Evidence = append(ans.Evidence, evidenceFor(r, ind, kec.code, sp.year, by, resp.At, 1))
			}
		}
		last = maxTime(last, resp.At)
		sheet.Answers = append(sheet.Answers, ans)
	}

	// Reviews go in sheet order (an evaluator works from the top). Returned items are, where
	// possible, claims above what the evaluator accepts or answers without evidence: what an
	// evaluator actually sends back.
	returned := make([]bool, reviewedN)
	var doubtful, rest []int
	for j := range reviewedN {
		a := sheet.Answers[j]
		if len(a.Evidence) == 0 || valueOf(inst, a.Indicator, self[a.Indicator]) > valueOf(inst, a.Indicator, accepted[a.Indicator]) {
			doubtful = append(doubtful, j)
		} else {
			rest = append(rest, j)
		}
	}
	r.Shuffle(len(doubtful), func(i, j int) { doubtful[i], doubtful[j] = doubtful[j], doubtful[i] })
	r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, j := range append(doubtful, rest...)[:returnedN] {
		returned[j] = true
	}
	lastReview := sch.reviewFrom.UTC()
	for j := range reviewedN {
		a := &sheet.Answers[j]
		acc := accepted[a.Indicator]
		if err := scoring.ValidateAnswer(inst, a.Indicator, acc); err != nil {
			return nil, nil, fmt.Errorf("%s: generated review: %w", id, err)
		}
		rv := &assessment.Review{Verdict: assessment.VerdictOK, By: evaluatorOf(sp.idx), At: between(r, sch.reviewFrom, sch.reviewTo)}
		setReview(rv, acc)
		switch {
		case returned[j] && len(a.Evidence) == 0:
			rv.Verdict, rv.Comment = assessment.VerdictReturned, pick(r, returnNoEvidence)
		case returned[j]:
			rv.Verdict, rv.Comment = assessment.VerdictReturned, pick(r, returnWithEvidence)
		case valueOf(inst, a.Indicator, self[a.Indicator]) > valueOf(inst, a.Indicator, acc) && r.Float64() < 0.5:
			rv.Comment = pick(r, adjustComments)
		case r.Float64() < 0.08:
			rv.Comment = pick(r, okComments)
		}
		a.Review = rv
		lastReview = maxTime(lastReview, rv.At)
	}

	as := &assessment.Assessment{ID: id, Period: sp.year, Instrument: inst.ID, Unit: kec.code,
		Flow: assessment.Flow{Status: slotStatus[sp.slot]}, Rev: 1}
	if sp.slot != slotDraft && sp.slot != slotLate {
		sub := sch.submitted
		as.SubmittedAt = &sub
	}
	if reviewedN > 0 {
		from := sch.reviewFrom.UTC()
		as.ReviewedAt = &from
	}
	switch sp.slot {
	case slotFinal:
		fin := minTime(between(r, lastReview.Add(time.Hour), lastReview.Add(48*time.Hour)), sch.latest)
		fin = maxTime(fin, lastReview)
		as.FinalizedAt, as.UpdatedAt, as.FinalizedBy = &fin, fin, evaluatorOf(sp.idx)
	case slotReturned:
		// The lead returned the marked items once; each keeps what the unit had then, for the
		// comparison after the resubmission.
		ret := lastReview
		as.UpdatedAt, as.ReturnedAt, as.Returns = lastReview, &ret, 1
		for j := range sheet.Answers {
			a := &sheet.Answers[j]
			if a.Review != nil && a.Review.Verdict == assessment.VerdictReturned {
				a.AtReturn = &assessment.AtReturn{Self: a.Self, Evidence: slices.Clone(a.Evidence), Comment: a.Review.Comment, At: ret, Round: 1}
			}
		}
	case slotReview:
		as.UpdatedAt = lastReview
	case slotSubmitted:
		as.UpdatedAt = sch.submitted
	default:
		as.UpdatedAt = last
	}
	if extended {
		as.Extension = &assessment.Extension{Until: day(sp.now).AddDays(14), By: "admin", At: sp.now.UTC().Truncate(time.Second),
			Reason: "Server kecamatan rusak sepekan menjelang batas; perpanjangan dua pekan."}
	}
	if err := assessment.Rescore(inst, as, sheet, prev); err != nil {
		return nil, nil, err
	}
	if as.Status == assessment.Final {
		sheet.Findings = findingsFor(inst, as, prev, evaluatorOf(sp.idx), *as.FinalizedAt)
	}
	return as, sheet, nil
}

// findingsFor writes the findings a final sheet needs: what was found and what must improve
// in every area below a predicate's minimum, worded from the area's final score.
func findingsFor(inst *instrument.Instrument, a *assessment.Assessment, prev scoring.Previous, by string, at time.Time) []assessment.Finding {
	res := scoring.Result{Total: a.Final.Total, Nodes: map[string]float64{}}
	for _, n := range a.Final.Nodes {
		res.Nodes[n.Code] = n.Score
	}
	var out []assessment.Finding
	for _, code := range scoring.FailingAreas(inst, res, prev) {
		area, _ := inst.Node(code)
		pct := 0.0
		if pts := inst.Points(area); pts > 0 {
			pct = a.Final.Node(code) / pts * 100
		}
		out = append(out, assessment.Finding{Area: code, Rev: 1, By: by, At: at,
			Kondisi: fmt.Sprintf("Capaian area %s baru %s%% dari nilai maksimal; sebagian bukti dukung belum lengkap atau belum menunjukkan pelaksanaan.",
				area.Title, strings.Replace(fmt.Sprintf("%.2f", pct), ".", ",", 1)),
			Rekomendasi: fmt.Sprintf("Lengkapi bukti dukung area %s, tetapkan penanggung jawab dan jadwal tindak lanjut, lalu pantau setiap triwulan.", area.Title)})
	}
	return out
}

// evidenceFor invents one evidence entry for an answer: a link to the kabupaten's document
// server, or a file named after what the indicator asks for. A file's id has the form of a
// SHA-256 but no bytes behind it; the second entry of an answer is a photo of the activity.
func evidenceFor(r *rand.Rand, ind instrument.Indicator, unit string, year int, by string, at time.Time, n int) assessment.Evidence {
	title := evidenceTitle(ind)
	at = at.Add(-time.Duration(r.IntN(50)) * time.Minute)
	if n == 0 && r.Float64() < 0.35 {
		url := fmt.Sprintf("https://dokumen.contoh.go.id/%s/%d/%s", unit, year, slug(title))
		return assessment.Evidence{ID: sha256Hex(url), Kind: "link", Name: title, URL: url, By: by, At: at}
	}
	stem := fileStem(title)
	ext, typ, size := ".pdf", "application/pdf", 120_000+r.IntN(3_900_000)
	switch first := strings.ToLower(strings.Fields(title + " x")[0]); {
	case n > 0:
		stem, ext, typ, size = "Dokumentasi_"+stem, ".jpg", "image/jpeg", 300_000+r.IntN(2_200_000)
	case first == "foto" || first == "dokumentasi" || first == "tangkapan":
		ext, typ, size = ".jpg", "image/jpeg", 300_000+r.IntN(2_200_000)
	case first == "rekap" || first == "matriks" || first == "daftar" || first == "data" || first == "tabel":
		ext, typ, size = ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 20_000+r.IntN(380_000)
	}
	name := fmt.Sprintf("%s_%d%s", stem, year, ext)
	return assessment.Evidence{ID: sha256Hex(fmt.Sprintf("data contoh/%s/%d/%s/%d", unit, year, ind.Code, n)),
		Kind: "file", Name: name, Size: int64(size), Type: typ, By: by, At: at}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// evidenceTitle shortens the indicator's "what the evaluator expects" to a document title:
// its first item, at most six words ("SK tim kerja pembangunan ZI").
func evidenceTitle(ind instrument.Indicator) string {
	t := ind.Evidence
	if t == "" {
		return "Bukti dukung " + ind.Code
	}
	for _, sep := range []string{",", "(", ";", " dan ", " - "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	words := strings.Fields(t)
	if len(words) > 6 {
		words = words[:6]
	}
	t = strings.Join(words, " ")
	if t == "" {
		return "Bukti dukung " + ind.Code
	}
	rs := []rune(t)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// fileStem turns a title into a file name stem the way people name scans: "SK_Tim_Kerja_ZI".
func fileStem(title string) string {
	var parts []string
	for _, w := range strings.FieldsFunc(title, func(c rune) bool { return unicode.IsSpace(c) || c == '/' || c == '-' }) {
		w = strings.Map(func(c rune) rune {
			if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
				return c
			}
			return -1
		}, w)
		if w == "" {
			continue
		}
		parts = append(parts, strings.ToUpper(w[:1])+w[1:])
	}
	if len(parts) == 0 {
		return "Bukti_Dukung"
	}
	return strings.Join(parts, "_")
}

// slug turns a title into a URL path segment.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
