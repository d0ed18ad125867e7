package loader

import (
	"context"
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// ResolveStandalone finds the files of one component stored on its own,
// outside any pipeline: loc names its folder (such as h94/IP-Adapter's
// sdxl_models/image_encoder, which load_ip_adapter loads), and what it
// holds comes from its own config, as Options.Replace reads a replacement.
// name is used in messages ("image_encoder"). hubOpts supplies the cache,
// token and offline mode; loc.Revision replaces its revision.
func ResolveStandalone(ctx context.Context, name string, loc Location, hubOpts hub.Options) (*Component, []string, error) {
	f := loc.folder(hubOpts)
	ref, err := replacementClass(ctx, f, ClassRef{}, false)
	if err != nil {
		return nil, nil, fmt.Errorf("loader: %s: %w", name, err)
	}
	return resolveComponent(ctx, f, name, ref, loc.Variant, fetchWeights)
}
