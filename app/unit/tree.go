package unit

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// maxNameLen bounds a unit's name (characters).
const maxNameLen = 120

// Root returns the unit without a parent (the kabupaten). Errors: NotFound when the tree is
// empty.
func (s *Store) Root(ctx context.Context) (*Unit, error) {
	us, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	for i := range us {
		if us[i].Parent == "" {
			return &us[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "Belum ada unit teratas (kabupaten).")
}

// ActiveKecamatan returns the active units of kind kecamatan, sorted by name: those a new
// period's assessments are created for.
func (s *Store) ActiveKecamatan(ctx context.Context) ([]Unit, error) {
	us, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	out := us[:0:0]
	for _, u := range us {
		if u.Kind == Kecamatan && u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

// Patch is a change to a unit; nil fields stay as they are. The code never changes: it is in
// every assessment id.
type Patch struct {
	Name     *string `json:"name"`
	Parent   *string `json:"parent"`
	Active   *bool   `json:"active"`
	TimeZone *string `json:"time_zone"`
}

// Create adds a new unit to the tree, then runs then (nil: nothing) inside the same write, so
// the caller can record it in the audit log. An empty TimeZone on a new root means
// DefaultTimeZone. Errors: Invalid naming the field (code, name, kind, parent, time_zone) for
// a malformed or duplicate code, a missing parent, a second root, a zone that is not one of
// TimeZones or is set below the root.
func (s *Store) Create(ctx context.Context, u Unit, then func(ctx context.Context) error) (err error) {
	defer apperr.Wrap(&err, "unit.Create(%s)", u.Code)
	u.Name = strings.TrimSpace(u.Name)
	if u.Parent == "" && u.TimeZone == "" {
		u.TimeZone = DefaultTimeZone
	}
	defer s.invalidate()
	return s.db.Write(ctx, func(ctx context.Context) error {
		all, err := s.byCode(ctx)
		if err != nil {
			return err
		}
		if _, dup := all[u.Code]; dup {
			return apperr.InField("code", "Kode unit %q sudah dipakai.", u.Code)
		}
		all[u.Code] = u
		if err := check(all, u); err != nil {
			return err
		}
		if _, err := s.coll.InsertOne(ctx, u); err != nil {
			return err
		}
		if then != nil {
			return then(ctx)
		}
		return nil
	})
}

// Update applies p to the unit code (rename, move, activate or deactivate, the root's time
// zone), then runs then with the unit before and after inside the same write. Errors: NotFound;
// Invalid naming the field for an empty name, an unknown parent, a parent that would make a
// cycle, a move or deactivation of the root, a zone not in TimeZones or below the root.
func (s *Store) Update(ctx context.Context, code string, p Patch, then func(ctx context.Context, before, after Unit) error) (_ *Unit, err error) {
	defer apperr.Wrap(&err, "unit.Update(%s)", code)
	var out Unit
	defer s.invalidate()
	err = s.db.Write(ctx, func(ctx context.Context) error {
		all, err := s.byCode(ctx)
		if err != nil {
			return err
		}
		before, ok := all[code]
		if !ok {
			return apperr.New(apperr.NotFound, "Unit %q tidak ditemukan.", code)
		}
		after := before
		if p.Name != nil {
			after.Name = strings.TrimSpace(*p.Name)
		}
		if p.Parent != nil {
			if before.Parent == "" && *p.Parent != "" {
				return apperr.InField("parent", "Unit teratas (%s) tidak dapat dipindahkan ke bawah unit lain.", before.Name)
			}
			after.Parent = *p.Parent
		}
		if p.Active != nil {
			if before.Parent == "" && !*p.Active {
				return apperr.InField("active", "Unit teratas (%s) tidak dapat dinonaktifkan.", before.Name)
			}
			after.Active = *p.Active
		}
		if p.TimeZone != nil {
			after.TimeZone = *p.TimeZone
		}
		all[code] = after
		if err := check(all, after); err != nil {
			return err
		}
		if _, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: code}}, after); err != nil {
			return err
		}
		out = after
		if then != nil {
			return then(ctx, before, after)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// byCode reads the whole tree (a few hundred units at most per kabupaten).
func (s *Store) byCode(ctx context.Context) (map[string]Unit, error) {
	us, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Unit, len(us))
	for _, u := range us {
		m[u.Code] = u
	}
	return m, nil
}

// check validates u within the tree all (which already holds u as it would be stored).
func check(all map[string]Unit, u Unit) error {
	switch {
	case !ValidCode(u.Code):
		return apperr.InField("code", "Kode unit %q tidak valid: gunakan huruf kecil, angka dan tanda hubung (maks. 64).", u.Code)
	case u.Name == "":
		return apperr.InField("name", "Nama unit wajib diisi.")
	case utf8.RuneCountInString(u.Name) > maxNameLen:
		return apperr.InField("name", "Nama unit paling panjang %d karakter.", maxNameLen)
	case !u.Kind.Valid():
		return apperr.InField("kind", "Jenis unit %q tidak dikenal (kabupaten, kecamatan, opd, upt).", u.Kind)
	}
	if u.Parent == "" {
		if u.Kind != Kabupaten {
			return apperr.InField("parent", "Unit %s harus berada di bawah unit lain (hanya kabupaten yang menjadi unit teratas).", u.Kind.Label())
		}
		for code, o := range all {
			if code != u.Code && o.Parent == "" {
				return apperr.InField("parent", "Pilih unit induk: sudah ada unit teratas (%s).", o.Name)
			}
		}
		if _, ok := Location(u.TimeZone); !ok {
			return apperr.InField("time_zone", "Zona waktu %q tidak dikenal (Asia/Jakarta, Asia/Makassar atau Asia/Jayapura).", u.TimeZone)
		}
		return nil
	}
	if u.Kind == Kabupaten {
		return apperr.InField("kind", "Kabupaten hanya dapat menjadi unit teratas.")
	}
	if u.TimeZone != "" {
		return apperr.InField("time_zone", "Zona waktu diatur pada unit teratas (kabupaten) saja.")
	}
	if _, ok := all[u.Parent]; !ok {
		return apperr.InField("parent", "Unit induk %q tidak ditemukan.", u.Parent)
	}
	// Walk up from the parent: meeting u again means the move would close a cycle.
	seen := map[string]bool{}
	for p := u.Parent; p != ""; p = all[p].Parent {
		if p == u.Code {
			return apperr.InField("parent", "Memindahkan %s ke bawah %s membuat siklus (unit tidak boleh berada di bawah dirinya sendiri).", u.Name, all[u.Parent].Name)
		}
		if seen[p] {
			return fmt.Errorf("unit tree: a cycle through %s is already stored", p)
		}
		seen[p] = true
	}
	return nil
}
