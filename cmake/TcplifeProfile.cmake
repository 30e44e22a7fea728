# The "TCP Lifecycle" configuration profile (packaging/profiles/TCP Lifecycle/):
# 'install' puts it where Wireshark looks for global profiles, the profiles
# folder of its data directory ("Global configuration" in tshark -G folders,
# /usr/share/wireshark on Debian); with TCPLIFE_INSTALL_PERSONAL, into the
# personal one (~/.config/wireshark/profiles, or $XDG_CONFIG_HOME/wireshark).
# Defines TCPLIFE_PROFILE_DIR and TCPLIFE_PROFILE_FILES (installed paths).
set(TCPLIFE_PROFILE_NAME "TCP Lifecycle")
set(TCPLIFE_PROFILE_SOURCE "${PROJECT_SOURCE_DIR}/packaging/profiles/${TCPLIFE_PROFILE_NAME}")

# Wireshark's data directory: from the tshark of the same installation when
# there is one, else <prefix of wireshark.pc>/share/wireshark.
set(TCPLIFE_DATA_DIR "" CACHE PATH "Wireshark's data directory (empty: automatic)")
if(TCPLIFE_DATA_DIR STREQUAL "")
  find_program(TCPLIFE_TSHARK tshark)
  if(TCPLIFE_TSHARK)
    execute_process(COMMAND "${TCPLIFE_TSHARK}" -G folders OUTPUT_VARIABLE _folders
                    ERROR_QUIET RESULT_VARIABLE _rc)
    if(_rc EQUAL 0 AND _folders MATCHES "Global configuration:[ \t]*([^\r\n]+)")
      string(STRIP "${CMAKE_MATCH_1}" TCPLIFE_DATA_DIR)
    endif()
  endif()
  if(TCPLIFE_DATA_DIR STREQUAL "")
    if(WIRESHARK_PREFIX STREQUAL "")
      pkg_get_variable(WIRESHARK_PREFIX wireshark prefix)
    endif()
    set(TCPLIFE_DATA_DIR "${WIRESHARK_PREFIX}/share/wireshark")
  endif()
endif()

if(TCPLIFE_INSTALL_PERSONAL)
  if(NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
    set(TCPLIFE_PROFILE_DIR "$ENV{XDG_CONFIG_HOME}/wireshark/profiles/${TCPLIFE_PROFILE_NAME}")
  else()
    set(TCPLIFE_PROFILE_DIR "$ENV{HOME}/.config/wireshark/profiles/${TCPLIFE_PROFILE_NAME}")
  endif()
else()
  set(TCPLIFE_PROFILE_DIR "${TCPLIFE_DATA_DIR}/profiles/${TCPLIFE_PROFILE_NAME}")
endif()
message(STATUS "tcplife: 'install' puts the \"${TCPLIFE_PROFILE_NAME}\" profile in ${TCPLIFE_PROFILE_DIR}")

set(TCPLIFE_PROFILE_FILES "")
foreach(f preferences colorfilters dfilter_buttons)
  install(FILES "${TCPLIFE_PROFILE_SOURCE}/${f}" DESTINATION "${TCPLIFE_PROFILE_DIR}")
  list(APPEND TCPLIFE_PROFILE_FILES "${TCPLIFE_PROFILE_DIR}/${f}")
endforeach()
