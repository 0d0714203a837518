#include "engine/standards.h"
