package unit

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeZone is one of Indonesia's three zones. Indonesia keeps no daylight saving time, so each
// is a fixed offset; the location carries the abbreviation the UI prints ("pukul 23.59 WITA").
type TimeZone struct {
	Name  string // IANA name, stored on the root unit: "Asia/Makassar"
	Abbr  string // "WITA"
	Label string // "WITA (UTC+8) — Kalimantan Timur, Bali, Sulawesi, NTB, NTT"
	Loc   *time.Location
}

// DefaultTimeZone is the zone of a root unit that names none (WIB: most kabupaten).
const DefaultTimeZone = "Asia/Jakarta"

func fixed(name, abbr string, hours int, where string) TimeZone {
	return TimeZone{Name: name, Abbr: abbr, Label: abbr + " (UTC+" + strconv.Itoa(hours) + ") — " + where,
		Loc: time.FixedZone(abbr, hours*3600)}
}

// TimeZones are the zones a kabupaten can be in, west to east.
var TimeZones = []TimeZone{
	fixed("Asia/Jakarta", "WIB", 7, "Sumatra, Jawa, Kalimantan Barat dan Tengah"),
	fixed("Asia/Makassar", "WITA", 8, "Bali, Nusa Tenggara, Kalimantan Selatan, Timur dan Utara, Sulawesi"),
	fixed("Asia/Jayapura", "WIT", 9, "Maluku dan Papua"),
}

// Location returns the location of a zone name; false for a name not in TimeZones.
func Location(name string) (*time.Location, bool) {
	for _, z := range TimeZones {
		if z.Name == name {
			return z.Loc, true
		}
	}
	return nil, false
}

// ZoneLabel is a zone name as people read it: "WITA (UTC+8)"; the name itself when unknown.
func ZoneLabel(name string) string {
	for _, z := range TimeZones {
		if z.Name == name {
			return z.Label[:strings.Index(z.Label, " —")]
		}
	}
	return name
}

// WIB is the location of DefaultTimeZone.
var WIB, _ = Location(DefaultTimeZone)

// zoneCache remembers the root unit's zone between requests.
type zoneCache struct {
	mu     sync.Mutex
	loc    *time.Location
	at     time.Time
	maxAge time.Duration // 0: until invalidated
	// gen counts invalidations: a read that began before one must not cache its older zone.
	gen uint64
}

func (z *zoneCache) invalidate() {
	z.mu.Lock()
	z.loc = nil
	z.gen++
	z.mu.Unlock()
}

// Zone is the kabupaten's time zone: the root unit's, WIB when the root names none (or no unit
// exists yet, or the database cannot be read: a page still renders, in WIB). Cached; the store's
// own writes drop the cache, so an admin's change shows on the next request.
func (s *Store) Zone(ctx context.Context) *time.Location {
	z := &s.zones
	z.mu.Lock()
	if z.loc != nil && (z.maxAge == 0 || time.Since(z.at) < z.maxAge) {
		loc := z.loc
		z.mu.Unlock()
		return loc
	}
	gen := z.gen
	z.mu.Unlock()
	loc := WIB
	root, err := s.Root(ctx)
	if err != nil {
		return loc // not cached: the next request tries again
	}
	if l, ok := Location(root.TimeZone); ok {
		loc = l
	}
	z.mu.Lock()
	if z.gen == gen {
		z.loc, z.at = loc, time.Now()
	}
	z.mu.Unlock()
	return loc
}
