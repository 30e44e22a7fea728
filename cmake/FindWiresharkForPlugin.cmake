# Finds the Wireshark development files a plugin build needs.
# Defines:
#   tcplife::wireshark          interface target (include dirs, libs)
#   TCPLIFE_WS_VERSION          major.minor of the Wireshark built against, e.g. 4.0
#   TCPLIFE_WS_VERSION_FULL     full version, e.g. 4.0.17
#   TCPLIFE_PLUGIN_DIR          the system epan plugin folder
#   TCPLIFE_PERSONAL_PLUGIN_DIR the personal epan plugin folder of the user running CMake
# Wireshark's own CMake config (WiresharkConfig.cmake) is used where one is
# installed; Debian ships only wireshark.pc, so pkg-config is the fallback.
find_package(Wireshark CONFIG QUIET)
add_library(tcplife_wireshark INTERFACE)
add_library(tcplife::wireshark ALIAS tcplife_wireshark)
if(Wireshark_FOUND)
  target_link_libraries(tcplife_wireshark INTERFACE epan)
  set(TCPLIFE_WS_VERSION "${Wireshark_VERSION_MAJOR}.${Wireshark_VERSION_MINOR}")
  set(TCPLIFE_WS_VERSION_FULL "${Wireshark_VERSION}")
  if(NOT Wireshark_PLUGIN_INSTALL_DIR)
    message(FATAL_ERROR "This Wireshark (${Wireshark_DIR}) was built without plugin support")
  endif()
  set(TCPLIFE_PLUGIN_DIR "${Wireshark_PLUGIN_INSTALL_DIR}/epan")
  set(_tcplife_ws_how "WiresharkConfig.cmake in ${Wireshark_DIR}")
else()
  find_package(PkgConfig)
  if(NOT PKG_CONFIG_FOUND)
    message(FATAL_ERROR "tcplife needs pkg-config to find Wireshark "
      "(Debian/Ubuntu: apt-get install pkg-config libwireshark-dev libglib2.0-dev, "
      "or just run 'make test' / 'make demo' at the top of the source tree)")
  endif()
  pkg_check_modules(WIRESHARK IMPORTED_TARGET wireshark>=3.4)
  if(NOT WIRESHARK_FOUND)
    message(FATAL_ERROR "Wireshark 3.4 or later development files not found "
      "(Debian/Ubuntu: apt-get install libwireshark-dev libglib2.0-dev; "
      "other systems: set PKG_CONFIG_PATH or Wireshark_DIR)")
  endif()
  target_link_libraries(tcplife_wireshark INTERFACE PkgConfig::WIRESHARK)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" TCPLIFE_WS_VERSION "${WIRESHARK_VERSION}")
  set(TCPLIFE_WS_VERSION_FULL "${WIRESHARK_VERSION}")
  pkg_get_variable(WIRESHARK_PLUGINDIR wireshark plugindir)
  if(NOT WIRESHARK_PLUGINDIR)
    message(FATAL_ERROR "wireshark.pc has no plugindir variable")
  endif()
  set(TCPLIFE_PLUGIN_DIR "${WIRESHARK_PLUGINDIR}/epan")
  set(_tcplife_ws_how "pkg-config wireshark")
endif()
# 4.2's installed epan/dfilter/dfilter.h includes "dfilter-loc.h", which 4.2
# does not install (Ubuntu 24.04's 4.2.2 among them), so <cfile.h> cannot be
# compiled there. Where that header is missing, the build gets its own
# definition of the one type dfilter.h needs from it.
foreach(_tcplife_inc IN LISTS WIRESHARK_INCLUDE_DIRS Wireshark_INCLUDE_DIR)
  set(_tcplife_dfilter "${_tcplife_inc}/epan/dfilter/dfilter.h")
  if(EXISTS "${_tcplife_dfilter}" AND NOT EXISTS "${_tcplife_inc}/epan/dfilter/dfilter-loc.h")
    file(STRINGS "${_tcplife_dfilter}" _tcplife_loc REGEX "#include \"dfilter-loc.h\"")
    if(_tcplife_loc)
      set(_tcplife_missing "${CMAKE_BINARY_DIR}/ws-missing-headers")
      file(WRITE "${_tcplife_missing}/dfilter-loc.h"
        "/* Written by tcplife's CMake: ${_tcplife_dfilter} includes this header,\n"
        " * which that Wireshark does not install. */\n"
        "#ifndef DFILTER_LOC_H\n#define DFILTER_LOC_H\n#include <stddef.h>\n"
        "typedef struct _dfilter_loc { long col_start; size_t col_len; } df_loc_t;\n"
        "#endif\n")
      target_include_directories(tcplife_wireshark INTERFACE "${_tcplife_missing}")
      message(STATUS "tcplife: ${_tcplife_dfilter} includes the uninstalled dfilter-loc.h; "
                     "using ${_tcplife_missing}/dfilter-loc.h")
      break()
    endif()
  endif()
endforeach()

# Wireshark looks in ~/.local/lib/wireshark/plugins/X.Y/epan on Linux and macOS
# (wsutil/filesystem.c), but never when it runs as root.
set(TCPLIFE_PERSONAL_PLUGIN_DIR
    "$ENV{HOME}/.local/lib/wireshark/plugins/${TCPLIFE_WS_VERSION}/epan")
message(STATUS "tcplife: Wireshark ${TCPLIFE_WS_VERSION_FULL} (${_tcplife_ws_how}); "
               "system plugin dir ${TCPLIFE_PLUGIN_DIR}")
