package assessment

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestSnapshotNodesRoundTrip(t *testing.T) {
	in := Snapshot{Total: 41.25, Grade: "B", Predicates: map[string]bool{"WBK": true},
		Nodes: Nodes{{"P", 30.1}, {"P.MP", 5.125}, {"H.BA.IPAK", 0}}, Missing: 3}
	raw, err := bson.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if v := bson.Raw(raw).Lookup("nodes"); v.Type != bson.TypeString || v.StringValue() != "P=30.1;P.MP=5.125;H.BA.IPAK=0" {
		t.Fatalf("stored nodes = %v", v)
	}
	var out Snapshot
	if err := bson.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Nodes) != 3 || out.Node("P.MP") != 5.125 || out.Node("H.BA.IPAK") != 0 || out.Total != 41.25 {
		t.Errorf("round trip = %+v", out)
	}
	var empty Snapshot
	raw, _ = bson.Marshal(Snapshot{})
	if err := bson.Unmarshal(raw, &empty); err != nil || len(empty.Nodes) != 0 {
		t.Errorf("empty = %+v, %v", empty, err)
	}
}
