// The async boundary lets Module Federation negotiate shared singletons before anything imports them.
import('./bootstrap.js');
