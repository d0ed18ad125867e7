// Package weights reads and writes the tensor files that checkpoints come in:
// safetensors (lazy, memory-mapped) and PyTorch .bin/.pt files (zip or legacy
// format, memory-mapped, read without executing pickle code).
//
// Every format is exposed through one interface, Source, so a model never
// cares which format its weights came from: it asks for a tensor by its
// checkpoint name and gets the raw little-endian bytes in the file's own
// dtype (fp16 stays fp16), or a GoMLX tensor converted to the dtype it
// computes in. Open picks the reader from the file's content; OpenAll and
// OpenSharded merge the shards of a split checkpoint; WithPrefix shows one
// component of a single-file checkpoint or adapter file.
//
// PyTorch pickles are read with an allow-list of globals (torch's rebuild
// functions, storage classes, dtypes, OrderedDict and a few inert builtins),
// like torch.load(weights_only=True): a pickle that names anything else
// (os.system, builtins.eval, a model class) is refused with ErrUnsafePickle,
// and nothing in it is ever run. Nested dicts are flattened with dots, so
// IP-Adapter's {"image_proj": {...}, "ip_adapter": {...}} .bin gives the same
// names as its .safetensors twin.
//
// Every reader validates what it is given before trusting it (header sizes,
// offsets, byte counts, dtypes, strides, pickle lengths) and reports a
// damaged file with an error that names the file and tensor, says what is
// wrong and how to fix it — including the common case of a Git-LFS pointer
// file checked out instead of the weights. errors.Is tells the kinds apart
// (ErrTruncated, ErrCorrupt, ErrLFSPointer, ErrUnsafePickle, ErrUnsupported,
// ErrUnknownFormat).
package weights
