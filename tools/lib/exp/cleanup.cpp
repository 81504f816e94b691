#include "cleanup.hpp"

#include <iostream>

namespace nettune::exp {

void CleanupStack::push(std::string what, std::function<void()> undo)
{
	steps_.push_back({std::move(what), std::move(undo)});
}

void CleanupStack::run_down_to(size_t mark)
{
	while (steps_.size() > mark) {
		Step s = std::move(steps_.back());
		steps_.pop_back();
		try {
			s.undo();
		} catch (const std::exception &e) {
			std::cerr << "nettune: cleanup: " << s.what << ": " << e.what() << '\n';
		}
	}
}

void CleanupStack::run_all()
{
	run_down_to(0);
}

} // namespace nettune::exp
