#include "engine/drive.h"
