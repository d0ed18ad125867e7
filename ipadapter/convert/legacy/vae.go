package legacy

import (
	"regexp"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// vaeAttentionName matches the mid-block attention projections as older
// diffusers checkpoints name them (query, key, value, proj_attn).
var vaeAttentionName = regexp.MustCompile(`^(.*\.attentions\.\d+\.)(query|key|value|proj_attn)\.(weight|bias)$`)

var currentVAEAttentionName = map[string]string{"query": "to_q", "key": "to_k", "value": "to_v", "proj_attn": "to_out.0"}

// VAEAttention returns src with the legacy attention names of a VAE
// checkpoint renamed to the current ones, or src itself when it has none.
// A renamed tensor is no longer visible under its old name.
func VAEAttention(src weights.Source) weights.Source {
	rename := map[string]string{} // current → stored
	for _, info := range src.Infos() {
		if m := vaeAttentionName.FindStringSubmatch(info.Name); m != nil {
			rename[m[1]+currentVAEAttentionName[m[2]]+"."+m[3]] = info.Name
		}
	}
	if len(rename) == 0 {
		return src
	}
	return &renamedSource{Source: src, stored: rename}
}

// renamedSource shows a checkpoint's tensors under other names.
type renamedSource struct {
	weights.Source
	stored map[string]string // shown name → name in the checkpoint
}

func (s *renamedSource) storedName(name string) string {
	if st, ok := s.stored[name]; ok {
		return st
	}
	return name
}

func (s *renamedSource) Infos() []weights.Info {
	shown := map[string]string{} // stored → shown
	for cur, st := range s.stored {
		shown[st] = cur
	}
	infos := s.Source.Infos()
	for i := range infos {
		if cur, ok := shown[infos[i].Name]; ok {
			infos[i].Name = cur
		}
	}
	slices.SortFunc(infos, func(a, b weights.Info) int { return strings.Compare(a.Name, b.Name) })
	return infos
}

func (s *renamedSource) Info(name string) (weights.Info, bool) {
	if _, ok := s.stored[name]; !ok && vaeAttentionName.MatchString(name) {
		return weights.Info{}, false // a renamed tensor is not visible under its old name
	}
	info, ok := s.Source.Info(s.storedName(name))
	info.Name = name
	return info, ok
}

func (s *renamedSource) Bytes(name string) ([]byte, error) {
	return s.Source.Bytes(s.storedName(name))
}
