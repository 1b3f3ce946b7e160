#!/usr/bin/env bash
# Refresh the vendored browser libraries under app/static/vendor/ from pinned npm releases.
# Packages that ship no LICENSE file keep their package.json (it names the licence).
# Runtime and CI never need npm or a network: the copied files are committed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/app/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --silent --no-audit --no-fund \
  leaflet@1.9.4 leaflet.markercluster@1.5.3 leaflet-draw@1.0.4 jquery@3.7.1 \
  leaflet.vectorgrid@1.3.0 leaflet.locatecontrol@0.84.2
nm="$work/node_modules"
rm -rf "$dest" && mkdir -p "$dest"
mkdir -p "$dest"/{leaflet,leaflet.markercluster,leaflet-draw,jquery,leaflet.vectorgrid,leaflet.locatecontrol}
cp -r "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/dist/images" "$nm/leaflet/LICENSE" "$dest/leaflet/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$nm/leaflet.markercluster/MIT-LICENCE.txt" "$dest/leaflet.markercluster/"
cp -r "$nm/leaflet-draw/dist/leaflet.draw.js" "$nm/leaflet-draw/dist/leaflet.draw.css" "$nm/leaflet-draw/dist/images" "$nm/leaflet-draw/package.json" "$dest/leaflet-draw/"
cp "$nm/jquery/dist/jquery.min.js" "$nm/jquery/LICENSE.txt" "$dest/jquery/"
cp "$nm/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" "$nm/leaflet.vectorgrid/package.json" "$dest/leaflet.vectorgrid/"
cp "$nm/leaflet.locatecontrol/dist/L.Control.Locate.min.js" "$nm/leaflet.locatecontrol/dist/L.Control.Locate.min.css" \
   "$nm/leaflet.locatecontrol/LICENSE" "$dest/leaflet.locatecontrol/"
cat > "$dest/VERSIONS.txt" <<TXT
leaflet 1.9.4 (BSD-2-Clause)
leaflet.markercluster 1.5.3 (MIT)
leaflet-draw 1.0.4 (MIT)
jquery 3.7.1 (MIT)
leaflet.vectorgrid 1.3.0 (Beerware)
leaflet.locatecontrol 0.84.2 (MIT)
TXT
echo "vendored into $dest"
