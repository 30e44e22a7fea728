# Defines the interface target tcplife::wireshark and TCPLIFE_WS_VERSION
# (major.minor) and TCPLIFE_PLUGIN_DIR (the system epan plugin folder).
# Wireshark's own CMake config is used where one is installed; Debian ships
# only wireshark.pc, so pkg-config is the fallback.
find_package(Wireshark CONFIG QUIET)
add_library(tcplife_wireshark INTERFACE)
add_library(tcplife::wireshark ALIAS tcplife_wireshark)
if(Wireshark_FOUND)
  target_link_libraries(tcplife_wireshark INTERFACE epan)
  set(TCPLIFE_WS_VERSION "${Wireshark_VERSION_MAJOR}.${Wireshark_VERSION_MINOR}")
  set(TCPLIFE_PLUGIN_DIR "${Wireshark_PLUGIN_INSTALL_DIR}/epan")
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(WIRESHARK REQUIRED IMPORTED_TARGET wireshark)
  target_link_libraries(tcplife_wireshark INTERFACE PkgConfig::WIRESHARK)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" TCPLIFE_WS_VERSION "${WIRESHARK_VERSION}")
  pkg_get_variable(WIRESHARK_PLUGINDIR wireshark plugindir)
  set(TCPLIFE_PLUGIN_DIR "${WIRESHARK_PLUGINDIR}/epan")
endif()
message(STATUS "tcplife: building for Wireshark ${TCPLIFE_WS_VERSION}, plugin dir ${TCPLIFE_PLUGIN_DIR}")
set(TCPLIFE_INSTALL_DIR "${TCPLIFE_PLUGIN_DIR}" CACHE PATH
    "Where 'make install' puts tcplife.so (default: the system epan plugin folder)")
