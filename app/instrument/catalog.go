package instrument

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Catalog is the set of instruments the application knows, by id.
type Catalog struct {
	byID map[string]*Instrument
	file map[string]string // id → file it came from, to name both files of a duplicate
	list []*Instrument     // sorted by id
}

// NewCatalog builds a catalog from instruments that are already parsed; ids must be unique.
func NewCatalog(insts ...*Instrument) (*Catalog, error) {
	c := &Catalog{byID: map[string]*Instrument{}, file: map[string]string{}}
	for _, in := range insts {
		if in == nil || in.nodes == nil {
			return nil, fmt.Errorf("instrument catalog: an instrument was not built by Parse")
		}
		if err := c.add(in, in.ID); err != nil {
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
	c := &Catalog{byID: map[string]*Instrument{}, file: map[string]string{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read instrument sheet: %w", err)
		}
		in, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		if err := c.add(in, name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) add(in *Instrument, file string) error {
	if prev, ok := c.file[in.ID]; ok {
		return &Error{File: file, Where: "id", Problem: fmt.Sprintf("duplicate id %q (also in %s)", in.ID, prev)}
	}
	c.byID[in.ID] = in
	c.file[in.ID] = file
	i, _ := slices.BinarySearchFunc(c.list, in.ID, func(x *Instrument, id string) int {
		return strings.Compare(x.ID, id)
	})
	c.list = slices.Insert(c.list, i, in)
	return nil
}

// Get returns the instrument with the given id.
func (c *Catalog) Get(id string) (*Instrument, bool) {
	in, ok := c.byID[id]
	return in, ok
}

// List returns every instrument sorted by id.
func (c *Catalog) List() []*Instrument { return slices.Clone(c.list) }
