package adapter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sides of the UNet, as set_ip_adapter_scale's dicts name them.
const (
	sideDown = "down"
	sideMid  = "mid"
	sideUp   = "up"
)

// crossLayer is an attn2 module's place in the UNet: side, block index i
// (down_blocks.i / up_blocks.i; 0 for the mid block) and Transformer2DModel
// index k (attentions.k).
type crossLayer struct {
	Name        string
	Side        string
	Block, Attn int
}

// unetLayout is what per-block scales need to know about a UNet: its attn2
// layers in attn_processors order, which blocks have attentions, and how
// many Transformer2DModels a block of each side has (layers_per_block for
// down blocks, layers_per_block+1 for up blocks in diffusers' UNets).
type unetLayout struct {
	Layers   []crossLayer
	Blocks   map[string][]int // side → block indices with attentions, ascending
	PerBlock map[string]int   // side → Transformer2DModels per block
	HasMid   bool
}

// parseLayout reads the layout from attn2 module names such as
// "up_blocks.0.attentions.1.transformer_blocks.3.attn2".
func parseLayout(names []string) (*unetLayout, error) {
	l := &unetLayout{Blocks: map[string][]int{}, PerBlock: map[string]int{}}
	for _, n := range names {
		cl, err := parseCrossLayer(n)
		if err != nil {
			return nil, err
		}
		l.Layers = append(l.Layers, cl)
		if cl.Side == sideMid {
			l.HasMid = true
			continue
		}
		if !slices.Contains(l.Blocks[cl.Side], cl.Block) {
			l.Blocks[cl.Side] = append(l.Blocks[cl.Side], cl.Block)
		}
		l.PerBlock[cl.Side] = max(l.PerBlock[cl.Side], cl.Attn+1)
	}
	for _, s := range []string{sideDown, sideUp} {
		slices.Sort(l.Blocks[s])
	}
	return l, nil
}

func parseCrossLayer(name string) (crossLayer, error) {
	bad := fmt.Errorf("cross-attention layer name %q is not <down_blocks.i|up_blocks.i|mid_block>.attentions.k.transformer_blocks.j.attn2", name)
	parts := strings.Split(name, ".")
	cl := crossLayer{Name: name}
	switch {
	case len(parts) == 6 && parts[0] == "mid_block":
		cl.Side, parts = sideMid, parts[1:]
	case len(parts) == 7 && (parts[0] == "down_blocks" || parts[0] == "up_blocks"):
		i, err := strconv.Atoi(parts[1])
		if err != nil {
			return cl, bad
		}
		cl.Side, cl.Block, parts = strings.TrimSuffix(parts[0], "_blocks"), i, parts[2:]
	default:
		return cl, bad
	}
	// parts = attentions k transformer_blocks j attn2
	k, err := strconv.Atoi(parts[1])
	if err != nil || parts[0] != "attentions" || parts[2] != "transformer_blocks" || parts[4] != "attn2" {
		return cl, bad
	}
	cl.Attn = k
	return cl, nil
}
