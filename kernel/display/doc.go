// Package display shows the kernel's results in a GoNB notebook: images
// with captions, labelled grids, reference images with their masks,
// attention heat-maps and a live progress line, through gonbui.
//
// Every picture is made by a plain function (HTML strings, image.Image)
// that does not need a notebook, so it can be tested and saved; the Show
// functions send it to the cell's output. Outside GoNB they do nothing.
package display
