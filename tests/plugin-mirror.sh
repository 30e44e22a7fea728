# Sourced by the scripts that run Wireshark with the plugin under test.
#   mirror_global_plugins DEST   -> prints the Wireshark plugin version (X.Y)
# Fills DEST/X.Y/<kind>/ with symlinks to Wireshark's global plugins, leaving
# out an installed tcplife.so: the global folder is searched first, so that
# copy would shadow the plugin under test. Point WIRESHARK_PLUGIN_DIR at DEST
# (Wireshark honours it only for non-root users).
mirror_global_plugins() {
  local dest=$1 global version kind so
  global=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins:/{print $2}')
  version=$(basename "${global:-none}")
  if [ -z "$global" ] || [ ! -d "$global" ]; then
    version=$(tshark -v 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
    mkdir -p "$dest/$version/epan"
    echo "$version"
    return 0
  fi
  mkdir -p "$dest/$version/epan"
  for kind in "$global"/*/; do
    kind=$(basename "$kind")
    mkdir -p "$dest/$version/$kind"
    for so in "$global/$kind"/*.so; do
      [ -e "$so" ] && [ "$(basename "$so")" != tcplife.so ] && ln -sf "$so" "$dest/$version/$kind/"
    done
  done
  chmod -R a+rX "$dest"
  echo "$version"
}
