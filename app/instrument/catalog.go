package instrument

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Catalog is the set of instruments the application knows, by id: the sheets embedded in the
// binary, and those an admin uploaded (stored in the database, added at start-up and after an
// upload). Readers never lock: each change publishes a new immutable snapshot.
type Catalog struct {
	cur atomic.Pointer[catalogState]
	mu  sync.Mutex // serializes changes
	// version counts the changes (uploads), for caches of what is built from instruments.
	version atomic.Uint64
}

// Version changes whenever an instrument is added or replaced: a cache of pages built from
// the catalog is current while it is the same.
func (c *Catalog) Version() uint64 { return c.version.Load() }

// catalogState is one immutable version of the catalog.
type catalogState struct {
	byID     map[string]*Instrument
	file     map[string]string // id → file it came from, to name both files of a duplicate
	list     []*Instrument     // sorted by id
	uploaded map[string]bool   // ids that came from an upload rather than the binary
}

func emptyState() *catalogState {
	return &catalogState{byID: map[string]*Instrument{}, file: map[string]string{}, uploaded: map[string]bool{}}
}

func newCatalog() *Catalog {
	c := &Catalog{}
	c.cur.Store(emptyState())
	return c
}

// NewCatalog builds a catalog from instruments that are already parsed; ids must be unique.
func NewCatalog(insts ...*Instrument) (*Catalog, error) {
	c := newCatalog()
	st := c.cur.Load()
	for _, in := range insts {
		if in == nil || in.nodes == nil {
			return nil, fmt.Errorf("instrument catalog: an instrument was not built by Parse")
		}
		if err := st.add(in, in.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// LoadFS parses every *.yaml file at the root of fsys, in name order. A broken sheet or two
// sheets with the same id is an error, so a bad catalog stops the application at start-up.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list instrument sheets: %w", err)
	}
	slices.Sort(names)
	c := newCatalog()
	st := c.cur.Load()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read instrument sheet: %w", err)
		}
		in, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		if err := st.add(in, name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (st *catalogState) add(in *Instrument, file string) error {
	if prev, ok := st.file[in.ID]; ok {
		return &Error{File: file, Where: "id", Problem: fmt.Sprintf("duplicate id %q (also in %s)", in.ID, prev)}
	}
	st.byID[in.ID] = in
	st.file[in.ID] = file
	i, _ := slices.BinarySearchFunc(st.list, in.ID, func(x *Instrument, id string) int {
		return strings.Compare(x.ID, id)
	})
	st.list = slices.Insert(st.list, i, in)
	return nil
}

// Get returns the instrument with the given id.
func (c *Catalog) Get(id string) (*Instrument, bool) {
	in, ok := c.cur.Load().byID[id]
	return in, ok
}

// List returns every instrument sorted by id.
func (c *Catalog) List() []*Instrument { return slices.Clone(c.cur.Load().list) }

// Uploaded reports whether the instrument id came from an upload (not from the binary).
func (c *Catalog) Uploaded(id string) bool { return c.cur.Load().uploaded[id] }

// Upload adds an uploaded instrument, or replaces an earlier upload with the same id (the
// caller has checked that no assessment uses it). An id of an embedded sheet is an error:
// those never change in place.
func (c *Catalog) Upload(in *Instrument) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.cur.Load()
	if _, ok := old.byID[in.ID]; ok && !old.uploaded[in.ID] {
		return fmt.Errorf("instrument catalog: %s is an embedded sheet", in.ID)
	}
	next := emptyState()
	for _, x := range old.list {
		if x.ID == in.ID {
			continue
		}
		_ = next.add(x, old.file[x.ID])
		next.uploaded[x.ID] = old.uploaded[x.ID]
	}
	if err := next.add(in, in.ID+".yaml"); err != nil {
		return err
	}
	next.uploaded[in.ID] = true
	c.cur.Store(next)
	c.version.Add(1)
	return nil
}
