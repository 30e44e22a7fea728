# cmake -DFILES="a;b" -P uninstall.cmake : removes what 'install' put in place
# (honours $DESTDIR like install does), then the empty folders it may leave.
foreach(f IN LISTS FILES)
  set(path "$ENV{DESTDIR}${f}")
  if(EXISTS "${path}" OR IS_SYMLINK "${path}")
    message(STATUS "Uninstalling: ${path}")
    file(REMOVE "${path}")
    if(EXISTS "${path}")
      message(FATAL_ERROR "could not remove ${path} (permission? try sudo)")
    endif()
  else()
    message(STATUS "Not installed: ${path}")
  endif()
endforeach()
