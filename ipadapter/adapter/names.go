package adapter

import (
	"fmt"

	ipconvert "github.com/seed11f6bdef/gonb-ipadapter/ipadapter/convert"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// The mapping from the original tencent-ailab / h94 adapter names to
// diffusers' names lives in ipadapter/convert (convert/ipadapter.go), the
// one place for every foreign checkpoint layout. This file only gives it
// the package's short names; nothing in the package spells an original key.
// (Imported as ipconvert: the package has a convert function of its own.)

// The two groups of an adapter file.
const (
	groupImageProj = ipconvert.IPGroupImageProj
	groupIPAdapter = ipconvert.IPGroupIPAdapter
)

// tensorMap is one tensor of a renamed view (ipconvert.TensorMap: diffusers
// name, original tensor, and for the halves of a Resampler's to_kv the rows
// [Lo, Hi)).
type tensorMap = ipconvert.TensorMap

// newView shows src's tensors under the names maps give them, reading
// nothing until a tensor's bytes are asked for (row ranges are sub-slices
// of the memory-mapped data).
func newView(src weights.Source, maps []tensorMap) (*ipconvert.View, error) {
	return ipconvert.NewView(src, maps)
}

// detectKind tells the projection type from the image_proj keys
// (ipconvert.DetectIPProjection; FaceID files are refused). file names the
// file in messages.
func detectKind(file string, infos []weights.Info) (Kind, error) {
	p, err := ipconvert.DetectIPProjection(file, infos)
	if err != nil {
		return 0, err
	}
	for _, k := range []Kind{Plain, Plus, FullFace} {
		if kp, _ := k.projection(); kp == p {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%s: image projection layout %v has no adapter kind", file, p)
}

// projection is the name layout of the kind's image_proj group.
func (k Kind) projection() (ipconvert.IPProjection, bool) {
	switch k {
	case Plain:
		return ipconvert.IPPlain, true
	case Plus:
		return ipconvert.IPPlus, true
	case FullFace:
		return ipconvert.IPFullFace, true
	}
	return 0, false
}

// projectionKeys maps an image_proj group (original names, with shapes) to
// diffusers' names for the given kind.
func projectionKeys(kind Kind, infos []weights.Info) ([]tensorMap, error) {
	p, ok := kind.projection()
	if !ok {
		return nil, fmt.Errorf("unknown projection kind %v", kind)
	}
	return ipconvert.IPProjectionMaps(p, infos)
}

// resamplerLayerIndex returns i for an original "layers.i.…" key.
func resamplerLayerIndex(name string) (int, bool) { return ipconvert.IPResamplerLayer(name) }

// The projections' key and value names of an ip_adapter group.
const (
	toKIP = ipconvert.IPToK
	toVIP = ipconvert.IPToV
)

// parseIPKey splits an ip_adapter key "<id>.to_k_ip.weight".
func parseIPKey(name string) (id int, proj string, ok bool) { return ipconvert.ParseIPKey(name) }

// ipKey is the original key of a layer's projection.
func ipKey(id int, proj string) string { return ipconvert.IPKey(id, proj) }

// keyID is the original key id of cross-attention layer i (1, 3, 5, …).
func keyID(layer int) int { return ipconvert.IPKeyID(layer) }

// layerOfKeyID is the inverse of keyID; ok is false for an even id.
func layerOfKeyID(id int) (int, bool) { return ipconvert.IPLayerOfKeyID(id) }

// ipTargetKeys maps cross-attention layer i's projections to the UNet's
// names for adapter index a.
func ipTargetKeys(layers []string, a int) []tensorMap { return ipconvert.IPAttnMaps(layers, a) }

// projectionPrefix is where diffusers keeps adapter a's image projection
// once loaded into the UNet; the projection store uses the same names.
func projectionPrefix(a int) string { return ipconvert.IPProjectionPrefix(a) }
