package display

import (
	"fmt"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
)

// CompilationsText summarises a pipeline's compiled graphs per component:
// "7: UNet 2, text encoders 1+1, image encoder 1, projection 1, VAE 1".
// A count that does not move across a sweep is the claim "scales are
// graph inputs" checked.
func CompilationsText(c kernel.Compilations) string {
	text := make([]string, len(c.TextEncoders))
	for i, n := range c.TextEncoders {
		text[i] = fmt.Sprint(n)
	}
	if len(text) == 0 {
		text = []string{"0"}
	}
	return fmt.Sprintf("%d: UNet %d, text encoders %s, image encoder %d, projection %d, VAE %d",
		c.Total, c.UNet, strings.Join(text, "+"), c.ImageEncoder, c.ImageProjection, c.VAE)
}
